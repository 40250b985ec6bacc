package io.decibel.relay.quarantine;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What devices sent that the relay refused, newest first: for an operator to see and fix. */
@RestController
class QuarantineController {

	static final int MAX_PAGE_SIZE = 500;

	private final QuarantineRepository quarantine;

	QuarantineController(QuarantineRepository quarantine) {
		this.quarantine = quarantine;
	}

	@GetMapping("/api/quarantine")
	QuarantinePage quarantine(@RequestParam(defaultValue = "0") int page,
			@RequestParam(defaultValue = "50") int size) {
		PageRequest request = PageRequest.of(Math.max(page, 0),
				Math.min(Math.max(size, 1), MAX_PAGE_SIZE), Sort.by(Sort.Order.desc("id")));
		Page<QuarantinedPayload> found = this.quarantine.findAll(request);
		return new QuarantinePage(found.getContent().stream().map(QuarantinedView::of).toList(), found.getNumber(),
				found.getSize(), found.getTotalElements(), found.getTotalPages());
	}

	record QuarantinePage(List<QuarantinedView> items, int page, int size, long totalElements, int totalPages) {
	}

	/**
	 * @param payloadText the payload as text, when it is UTF-8
	 * @param payloadBase64 the payload's bytes (up to the payload limit)
	 */
	record QuarantinedView(long id, String topic, @Nullable String deviceId, String reason, Instant receivedAt,
			int payloadBytes, @Nullable String payloadText, String payloadBase64) {

		static QuarantinedView of(QuarantinedPayload payload) {
			return new QuarantinedView(payload.getId(), payload.getTopic(), payload.getDeviceId(),
					payload.getReason(), payload.getReceivedAt(), payload.getPayloadBytes(),
					utf8(payload.getPayload()), Base64.getEncoder().encodeToString(payload.getPayload()));
		}

		private static @Nullable String utf8(byte[] bytes) {
			try {
				return StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ByteBuffer.wrap(bytes))
					.toString();
			}
			catch (CharacterCodingException ex) {
				return null;
			}
		}

	}

}
