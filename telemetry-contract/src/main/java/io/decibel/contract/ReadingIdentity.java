package io.decibel.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;

/**
 * Which reading this is, whatever seq it goes under (wire contract v1.2): when its window ended and a digest of its
 * content. A {@code CONFLICT} ACK names the reading that holds the seq this way, so that a device can tell whether
 * that reading is the very one it is waiting to have stored, or another.
 * <p>
 * The digest is SHA-256, in lower-case hex, of the reading's canonical content: the fields the relay stores and
 * compares to tell a reading sent again from another reading under the same seq — everything but {@code deviceId}
 * and {@code seq} — as UTF-8 lines {@code name=value\n}, in this order:
 * <pre>
 * sampledAt=&lt;microseconds since 1970-01-01T00:00:00Z, decimal&gt;
 * windowMs=&lt;decimal&gt;
 * rms=&lt;binary64&gt;
 * dbfs=&lt;binary64&gt;
 * peak=&lt;binary64&gt;
 * source=&lt;text&gt;
 * levels=none                               (a v1 reading), or
 * laeq=, lafmax=, lafmin=, laf10=, laf50=, laf90= &lt;binary64&gt; each, then calibrated=true|false
 * </pre>
 * {@code sampledAt} is truncated to whole microseconds, as the table keeps it. A number is written as the 16
 * lower-case hex digits of its IEEE 754 binary64 bits, {@code -0.0} as {@code 0.0}: the JSON text of a double parses
 * back to those bits in any correct parser and a {@code DOUBLE} column holds them as they are, so the device (from
 * the reading it sent) and the relay (from the row it stored) arrive at the same digest, in any language.
 *
 * @param sampledAt when the reading's window ended, to the microsecond
 * @param digest SHA-256 of the reading's canonical content, 64 lower-case hex digits
 */
public record ReadingIdentity(Instant sampledAt, String digest) {

	/** The identity of a reading, as the relay computes it from the row that holds it. */
	public static ReadingIdentity of(Reading reading) {
		return new ReadingIdentity(reading.sampledAt().truncatedTo(ChronoUnit.MICROS), digest(reading));
	}

	/** SHA-256 of the reading's canonical content, lower-case hex: see the class comment. */
	public static String digest(Reading reading) {
		return HexFormat.of().formatHex(sha256(canonical(reading).getBytes(StandardCharsets.UTF_8)));
	}

	/** The reading's content as the digest reads it. */
	static String canonical(Reading reading) {
		Instant sampledAt = reading.sampledAt();
		long micros = Math.addExact(Math.multiplyExact(sampledAt.getEpochSecond(), 1_000_000L),
				sampledAt.getNano() / 1_000);
		StringBuilder canonical = new StringBuilder(512);
		line(canonical, "sampledAt", Long.toString(micros));
		line(canonical, "windowMs", Long.toString(reading.windowMs()));
		number(canonical, "rms", reading.rms());
		number(canonical, "dbfs", reading.dbfs());
		number(canonical, "peak", reading.peak());
		line(canonical, "source", reading.source());
		SoundLevels levels = reading.levels();
		if (levels == null) {
			line(canonical, "levels", "none");
		}
		else {
			number(canonical, "laeq", levels.laeq());
			number(canonical, "lafmax", levels.lafmax());
			number(canonical, "lafmin", levels.lafmin());
			number(canonical, "laf10", levels.laf10());
			number(canonical, "laf50", levels.laf50());
			number(canonical, "laf90", levels.laf90());
			line(canonical, "calibrated", Boolean.toString(levels.calibrated()));
		}
		return canonical.toString();
	}

	/** Whether this names the given reading: the same window end and the same content. */
	public boolean names(@Nullable Reading reading) {
		return reading != null && equals(of(reading));
	}

	private static void number(StringBuilder canonical, String name, double value) {
		// the relay takes -0.0 and 0.0 for the same level
		double signless = (value == 0.0) ? 0.0 : value;
		line(canonical, name, HexFormat.of().toHexDigits(Double.doubleToLongBits(signless)));
	}

	private static void line(StringBuilder canonical, String name, String value) {
		canonical.append(name).append('=').append(value).append('\n');
	}

	private static byte[] sha256(byte[] bytes) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (NoSuchAlgorithmException ex) {
			// every Java platform has it (MessageDigest's required algorithms)
			throw new IllegalStateException(ex);
		}
	}

}
