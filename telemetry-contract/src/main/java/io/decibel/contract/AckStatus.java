package io.decibel.contract;

/** What the relay did with a reading. */
public enum AckStatus {

	/** Stored now, for the first time. */
	STORED,

	/** Already stored earlier: a re-send, nothing written. */
	DUPLICATE,

	/** Not stored, and never will be: the reason says why. */
	REJECTED,

	/**
	 * Not stored: its {@code (deviceId, seq)} is stored already with a different reading (the device's numbering went
	 * back). The ACK's {@code highestSeq} says where the device's numbering must continue.
	 */
	CONFLICT

}
