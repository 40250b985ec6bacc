package io.decibel.relay.quarantine;

import java.util.Locale;

/**
 * What kind of bad input a rejection was, from its reason: a small, fixed set, fit to be a metric's tag where the
 * reason itself (which quotes field names, values and parser messages) is not. The reason texts come from the
 * contract's codec and validator, from the relay's topic check and from the database; {@code RejectionCategoryTests} holds the mapping
 * to those texts.
 */
enum RejectionCategory {

	/** No bytes at all. */
	EMPTY,

	/** More bytes than the contract allows. */
	OVERSIZE,

	/** Not JSON, or JSON that is not an object. */
	MALFORMED_JSON,

	/** A field of the reading is absent or null. */
	MISSING_FIELD,

	/** A field of the wrong JSON type, or a text that does not parse (a time that is not ISO-8601). */
	WRONG_TYPE,

	/** A number out of its range, or a text (device id, source) outside its pattern. */
	OUT_OF_RANGE,

	/** The topic names another device than the payload. */
	DEVICE_MISMATCH,

	/** A valid reading the database refused for a lasting reason (quarantined by the relay's batch writer). */
	DATABASE,

	/** Anything this list does not know yet. */
	OTHER;

	/** The tag value: {@code malformed_json}. */
	String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

	/** The category of a rejection, from its first reason (the most basic one, when there are several). */
	static RejectionCategory of(String reason) {
		if (reason.startsWith(QuarantinedPayload.DATABASE_REFUSED)) {
			return DATABASE;
		}
		String first = reason.split("; ", 2)[0];
		if (first.equals("empty payload")) {
			return EMPTY;
		}
		if (first.startsWith("payload of ") && first.contains(" exceeds the limit")) {
			return OVERSIZE;
		}
		if (first.startsWith("malformed JSON") || first.equals("payload must be a JSON object")) {
			return MALFORMED_JSON;
		}
		if (first.endsWith(" is missing") || first.startsWith("levels must come all together")) {
			return MISSING_FIELD;
		}
		if (first.startsWith("topic names device ")) {
			return DEVICE_MISMATCH;
		}
		if (first.endsWith(" must be a string") || first.endsWith(" must be a number")
				|| first.contains(" must be an integer ") || first.contains(" must be an ISO-8601 instant")
				|| first.endsWith(" must be true or false")) {
			return WRONG_TYPE;
		}
		if (first.contains(" must be between ") || first.contains(" must be a finite number between ")
				|| first.contains(" must match ") || first.startsWith("levels must be ordered")) {
			return OUT_OF_RANGE;
		}
		return OTHER;
	}

}
