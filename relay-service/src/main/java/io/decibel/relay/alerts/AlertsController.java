package io.decibel.relay.alerts;

import java.util.List;

import io.decibel.relay.alerts.AlertStore.AlertView;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The alerts, newest first: the open ones, or all ({@code ?state=all}), of every device or one. */
@RestController
class AlertsController {

	static final int MAX_ALERTS = 500;

	private final AlertStore store;

	private final TransactionTemplate transaction;

	AlertsController(AlertStore store, PlatformTransactionManager transactions) {
		this.store = store;
		this.transaction = new TransactionTemplate(transactions);
		this.transaction.setReadOnly(true);
	}

	@GetMapping("/api/alerts")
	Alerts alerts(@RequestParam(defaultValue = "open") String state,
			@RequestParam(required = false) @Nullable String device) {
		if (!state.equals("open") && !state.equals("all")) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "state is open or all, not '" + state + "'");
		}
		return new Alerts(this.transaction
			.execute((status) -> this.store.alerts(state.equals("open"), device, MAX_ALERTS)));
	}

	/** At most {@value #MAX_ALERTS}, newest first. */
	record Alerts(List<AlertView> items) {
	}

}
