package io.decibel.publisher.publishing;

import io.decibel.contract.Reading;

/**
 * A reading the device stopped trying to deliver: it may have been stored, it was never confirmed. Published as an
 * application event, so that the end of a counted run can count it as done, and lost.
 *
 * @param reading the reading
 * @param reason why, in a few words
 */
public record ReadingGivenUp(Reading reading, String reason) {
}
