package io.decibel.contract;

import java.util.Optional;

/**
 * The topic names of the wire contract, under a configurable root: readings on {@code {root}/{deviceId}/noise},
 * ACKs (when a reading names no Response Topic) on {@code {root}/{deviceId}/ack}, rejected input on
 * {@code {root}/dead-letter}, a device's alerts (v1.1, additive) on {@code {root}/{deviceId}/alert}.
 */
public record Topics(String root) {

	public static final String DEFAULT_ROOT = "decibel";

	public Topics {
		if (root == null || root.isBlank() || root.contains("+") || root.contains("#") || root.endsWith("/")) {
			throw new IllegalArgumentException("Topic root must be a plain topic name, not '" + root + "'");
		}
	}

	public static Topics defaults() {
		return new Topics(DEFAULT_ROOT);
	}

	public String readings(String deviceId) {
		return this.root + "/" + deviceId + "/noise";
	}

	/** Readings of every device: what subscribers and the relay subscribe to. */
	public String allReadings() {
		return readings("+");
	}

	/** All readings as a shared subscription of the given group: each reading goes to one member. */
	public String sharedReadings(String group) {
		return "$share/" + group + "/" + allReadings();
	}

	public String acks(String deviceId) {
		return this.root + "/" + deviceId + "/ack";
	}

	/** Where the relay publishes the alerts (raised, cleared) of a device's level rules. */
	public String alert(String deviceId) {
		return this.root + "/" + deviceId + "/alert";
	}

	public String deadLetter() {
		return this.root + "/dead-letter";
	}

	/** The device id a readings topic names, if it is one. */
	public Optional<String> deviceIdOf(String readingsTopic) {
		String prefix = this.root + "/";
		if (readingsTopic == null || !readingsTopic.startsWith(prefix)) {
			return Optional.empty();
		}
		// "/noise" is looked for after the root only: "{root}/noise" shares its slash with the root
		String rest = readingsTopic.substring(prefix.length());
		if (!rest.endsWith("/noise")) {
			return Optional.empty();
		}
		String deviceId = rest.substring(0, rest.length() - "/noise".length());
		return deviceId.isEmpty() || deviceId.contains("/") ? Optional.empty() : Optional.of(deviceId);
	}

}
