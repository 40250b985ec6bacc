package io.decibel.relay.delivery;

import io.decibel.contract.ReadingValidator;
import io.decibel.relay.delivery.DeliveryAccounting.Delivery;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** "Which readings did we lose?" for one device: stored, first and last seq, and the missing seq ranges. */
@RestController
class DeliveryController {

	private final DeliveryAccounting accounting;

	DeliveryController(DeliveryAccounting accounting) {
		this.accounting = accounting;
	}

	@GetMapping("/api/devices/{deviceId}/delivery")
	Delivery delivery(@PathVariable String deviceId) {
		if (!ReadingValidator.isValidDeviceId(deviceId)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"deviceId must match " + ReadingValidator.DEVICE_ID.pattern());
		}
		return this.accounting.delivery(deviceId);
	}

}
