package io.decibel.contract;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON codec of the wire contract. Decoding never throws: a payload is either a valid {@link Reading} or a
 * list of reasons that say, field by field, what is wrong with it.
 */
public final class TelemetryCodec {

	/** Readings are a few hundred bytes; anything much larger is not a reading. */
	public static final int MAX_PAYLOAD_BYTES = 8 * 1024;

	private static final String[] FIELDS = { "deviceId", "seq", "sampledAt", "windowMs", "rms", "dbfs", "peak",
			"source" };

	/** Contract v1.1: a reading carries all of them or none (a v1 reading). */
	private static final String[] LEVEL_FIELDS = { "laeq", "lafmax", "lafmin", "laf10", "laf50", "laf90",
			"calibrated" };

	private final JsonMapper mapper = JsonMapper.builder()
		.changeDefaultPropertyInclusion((inclusion) -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	private final ReadingValidator validator;

	public TelemetryCodec(ReadingValidator validator) {
		this.validator = validator;
	}

	public TelemetryCodec() {
		this(new ReadingValidator());
	}

	public byte[] encode(Reading reading) {
		return this.mapper.writeValueAsBytes(reading);
	}

	public byte[] encode(Ack ack) {
		return this.mapper.writeValueAsBytes(ack);
	}

	public byte[] encode(Alert alert) {
		return this.mapper.writeValueAsBytes(alert);
	}

	/**
	 * Reads an alert.
	 * @throws IllegalArgumentException when the payload is not an alert
	 */
	public Alert decodeAlert(byte[] payload) {
		try {
			Alert alert = this.mapper.readValue(payload, Alert.class);
			if (alert == null || alert.change() == null || alert.deviceId() == null || alert.raisedAt() == null) {
				throw new IllegalArgumentException("alert without change, deviceId or raisedAt");
			}
			return alert;
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Not an alert: " + firstLine(ex.getOriginalMessage()), ex);
		}
	}

	/** Writes any record of the contract's family (dead-letter entries, for one) in the contract's JSON style. */
	public byte[] encodeValue(Object value) {
		return this.mapper.writeValueAsBytes(value);
	}

	/**
	 * Reads an ACK.
	 * @throws IllegalArgumentException when the payload is not an ACK
	 */
	public Ack decodeAck(byte[] payload) {
		try {
			Ack ack = this.mapper.readValue(payload, Ack.class);
			if (ack == null || ack.deviceId() == null || ack.status() == null) {
				throw new IllegalArgumentException("ACK without deviceId or status");
			}
			return ack;
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Not an ACK: " + firstLine(ex.getOriginalMessage()), ex);
		}
	}

	public DecodedReading decodeReading(byte @Nullable [] payload) {
		if (payload == null || payload.length == 0) {
			return DecodedReading.invalid(List.of("empty payload"), null, null);
		}
		if (payload.length > MAX_PAYLOAD_BYTES) {
			return DecodedReading.invalid(List.of("payload of " + payload.length + " bytes exceeds the limit of "
					+ MAX_PAYLOAD_BYTES + " bytes"), null, null);
		}
		JsonNode json;
		try {
			json = this.mapper.readTree(payload);
		}
		catch (JacksonException ex) {
			return DecodedReading.invalid(List.of("malformed JSON: " + firstLine(ex.getOriginalMessage())), null,
					null);
		}
		if (json == null || !json.isObject()) {
			return DecodedReading.invalid(List.of("payload must be a JSON object"), null, null);
		}
		return fromObject(json);
	}

	private DecodedReading fromObject(JsonNode json) {
		List<String> reasons = new ArrayList<>();
		for (String field : FIELDS) {
			if (!json.has(field) || json.get(field).isNull()) {
				reasons.add(field + " is missing");
			}
		}
		String deviceId = text(json, "deviceId", reasons);
		Long seq = integer(json, "seq", 0, ReadingValidator.MAX_SEQ, reasons);
		String sampledAtText = text(json, "sampledAt", reasons);
		Long windowMs = integer(json, "windowMs", 1, ReadingValidator.MAX_WINDOW_MS, reasons);
		Double rms = number(json, "rms", reasons);
		Double dbfs = number(json, "dbfs", reasons);
		Double peak = number(json, "peak", reasons);
		String source = text(json, "source", reasons);
		SoundLevels levels = levels(json, reasons);
		Instant sampledAt = null;
		if (sampledAtText != null) {
			try {
				sampledAt = Instant.parse(sampledAtText);
			}
			catch (DateTimeParseException ex) {
				reasons.add("sampledAt must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
			}
		}
		String knownDevice = ReadingValidator.isValidDeviceId(deviceId) ? deviceId : null;
		Long knownSeq = (seq != null && seq >= 0 && seq <= ReadingValidator.MAX_SEQ) ? seq : null;
		if (!reasons.isEmpty()) {
			return DecodedReading.invalid(reasons, knownDevice, knownSeq);
		}
		Reading reading = new Reading(deviceId, seq, sampledAt, windowMs, rms, dbfs, peak, source, levels);
		List<String> invalid = this.validator.validate(reading);
		return invalid.isEmpty() ? DecodedReading.valid(reading)
				: DecodedReading.invalid(invalid, knownDevice, knownSeq);
	}

	private static @Nullable SoundLevels levels(JsonNode json, List<String> reasons) {
		int present = 0;
		for (String field : LEVEL_FIELDS) {
			present += (json.has(field) && !json.get(field).isNull()) ? 1 : 0;
		}
		if (present == 0) {
			return null;
		}
		if (present < LEVEL_FIELDS.length) {
			reasons.add("levels must come all together or not at all: " + String.join(", ", LEVEL_FIELDS));
			return null;
		}
		int before = reasons.size();
		Double laeq = number(json, "laeq", reasons);
		Double lafmax = number(json, "lafmax", reasons);
		Double lafmin = number(json, "lafmin", reasons);
		Double laf10 = number(json, "laf10", reasons);
		Double laf50 = number(json, "laf50", reasons);
		Double laf90 = number(json, "laf90", reasons);
		JsonNode calibrated = json.get("calibrated");
		if (!calibrated.isBoolean()) {
			reasons.add("calibrated must be true or false");
		}
		if (reasons.size() > before) {
			return null;
		}
		return new SoundLevels(laeq, lafmax, lafmin, laf10, laf50, laf90, calibrated.booleanValue());
	}

	private static @Nullable String text(JsonNode json, String field, List<String> reasons) {
		JsonNode node = json.get(field);
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isString()) {
			reasons.add(field + " must be a string");
			return null;
		}
		return node.stringValue();
	}

	private static @Nullable Long integer(JsonNode json, String field, long min, long max, List<String> reasons) {
		JsonNode node = json.get(field);
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isIntegralNumber() || !node.canConvertToLong()) {
			reasons.add(field + " must be an integer between " + min + " and " + max);
			return null;
		}
		return node.longValue();
	}

	private static @Nullable Double number(JsonNode json, String field, List<String> reasons) {
		JsonNode node = json.get(field);
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isNumber()) {
			reasons.add(field + " must be a number");
			return null;
		}
		return node.doubleValue();
	}

	private static String firstLine(@Nullable String message) {
		if (message == null) {
			return "unreadable";
		}
		String line = message.lines().findFirst().orElse(message);
		return line.length() > 200 ? line.substring(0, 200) + "…" : line;
	}

}
