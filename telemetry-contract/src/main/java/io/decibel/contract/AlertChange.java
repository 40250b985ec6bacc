package io.decibel.contract;

/** What happened to an alert. */
public enum AlertChange {

	/** A device's level has been over a rule's limit for the rule's duration. */
	RAISED,

	/** The level came back to or below the limit, or the rule's time window ended. */
	CLEARED

}
