package io.decibel.contract;

/** What the relay did with a reading. */
public enum AckStatus {

	/** Stored now, for the first time. */
	STORED,

	/** Already stored earlier: a re-send, nothing written. */
	DUPLICATE,

	/** Not stored, and never will be: the reason says why. */
	REJECTED

}
