package io.decibel.publisher.publishing;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.decibel.contract.ReadingIdentity;
import org.jspecify.annotations.Nullable;

/**
 * The Correlation Data of one send (contract v1.2), which the relay echoes in its answer: the seq, the reading (the
 * first {@value #READING_DIGITS} hex digits of its {@link ReadingIdentity#digest digest}) and which send of it this
 * was, as UTF-8 text {@code seq:reading:send} — {@code 17:9f86d081884c7d65:2}. An answer to another reading's copy
 * under the same seq (sent before the device lost its state) then never settles this one. A v1 device sent the seq
 * alone ({@code 17}); an answer that carries that is read by its seq, as then.
 *
 * @param seq the seq the reading was sent under
 * @param reading the first hex digits of the reading's digest; {@code null} for v1 Correlation Data
 * @param send which send of the reading, from 1; 0 when unknown
 */
public record Correlation(long seq, @Nullable String reading, int send) {

	/** 64 bits of the digest: two readings under one seq that agree in them are not a case to design for. */
	static final int READING_DIGITS = 16;

	private static final Pattern V1 = Pattern.compile("\\d{1,19}");

	private static final Pattern V12 = Pattern.compile("(\\d{1,19}):([0-9a-f]{" + READING_DIGITS + "}):(\\d{1,9})");

	/** The Correlation Data of a send of the reading with the given identity. */
	static byte[] of(long seq, ReadingIdentity identity, int send) {
		return (seq + ":" + identity.digest().substring(0, READING_DIGITS) + ":" + send)
			.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Reads Correlation Data back.
	 * @return what it says, or {@code null} when it is none of this device's forms (the ACK's body must tell)
	 */
	public static @Nullable Correlation parse(byte @Nullable [] data) {
		if (data == null) {
			return null;
		}
		String text = new String(data, StandardCharsets.UTF_8);
		try {
			if (V1.matcher(text).matches()) {
				return new Correlation(Long.parseLong(text), null, 0);
			}
			Matcher v12 = V12.matcher(text);
			if (v12.matches()) {
				return new Correlation(Long.parseLong(v12.group(1)), v12.group(2), Integer.parseInt(v12.group(3)));
			}
		}
		catch (NumberFormatException ex) {
			// a seq past a long: not ours
		}
		return null;
	}

	/** Whether this answers a send of the reading with the given identity: as far as it can tell, for v1 data. */
	boolean answers(ReadingIdentity identity) {
		return this.reading == null || identity.digest().startsWith(this.reading);
	}

}
