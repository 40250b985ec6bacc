package io.decibel.relay.readings;

import java.io.Serializable;

/** The identity of a reading for ever: the device and its sequence number. */
public record ReadingKey(String deviceId, long seq) implements Serializable {
}
