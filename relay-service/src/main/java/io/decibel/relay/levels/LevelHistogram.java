package io.decibel.relay.levels;

import java.util.Map;
import java.util.TreeMap;

/**
 * How many readings had each level, in classes of 0.1 dB — as sound level meters keep them for their statistical
 * levels. Histograms add up exactly, so the L10, L50 and L90 of an hour or a day come from its minutes without the
 * readings. Stored as text, {@code "class:count"} in ascending class order separated by spaces, where a level's class
 * is {@code round(level * 10)}: {@code "652:3 653:1"} is three readings at 65.2 dB and one at 65.3 dB.
 */
public final class LevelHistogram {

	private final TreeMap<Integer, Long> counts = new TreeMap<>();

	private long total;

	/** Counts one reading at this level (dB). */
	public LevelHistogram add(double level) {
		return add(classOf(level), 1);
	}

	/** Adds another histogram's counts to this one. */
	public LevelHistogram add(LevelHistogram other) {
		other.counts.forEach(this::add);
		return this;
	}

	private LevelHistogram add(int levelClass, long count) {
		this.counts.merge(levelClass, count, Long::sum);
		this.total += count;
		return this;
	}

	/** How many readings the histogram holds. */
	public long total() {
		return this.total;
	}

	/**
	 * The level exceeded by {@code percent} % of the readings, L<sub>n</sub>, to the class (0.1 dB): the
	 * {@code ceil(percent / 100 * total)}-th highest level (nearest rank; the highest level for very small
	 * {@code percent}). L10 is a loud level, L90 the background.
	 * @param percent 0 (exclusive) to 100
	 * @return the level in dB, or {@code NaN} when the histogram is empty
	 */
	public double exceeded(double percent) {
		if (!(percent > 0 && percent <= 100)) {
			throw new IllegalArgumentException("percent must be in (0, 100], not " + percent);
		}
		if (this.total == 0) {
			return Double.NaN;
		}
		long rank = Math.max(1, (long) Math.ceil(percent / 100 * this.total));
		long seen = 0;
		for (Map.Entry<Integer, Long> entry : this.counts.descendingMap().entrySet()) {
			seen += entry.getValue();
			if (seen >= rank) {
				return entry.getKey() / 10.0;
			}
		}
		throw new IllegalStateException("unreachable: rank " + rank + " of " + this.total);
	}

	/** The stored text: {@code "class:count"} ascending, space-separated; empty for an empty histogram. */
	public String encode() {
		StringBuilder text = new StringBuilder(this.counts.size() * 8);
		this.counts.forEach((levelClass, count) -> {
			if (!text.isEmpty()) {
				text.append(' ');
			}
			text.append(levelClass).append(':').append(count);
		});
		return text.toString();
	}

	/** Reads the stored text back; throws {@link IllegalArgumentException} on text {@link #encode()} never writes. */
	public static LevelHistogram decode(String text) {
		LevelHistogram histogram = new LevelHistogram();
		if (text.isBlank()) {
			return histogram;
		}
		// by hand rather than split(" +"): a regex compiled per call, for a text read on every store transaction
		int end = 0;
		while (true) {
			int start = end;
			while (start < text.length() && text.charAt(start) == ' ') {
				start++;
			}
			if (start == text.length()) {
				break;
			}
			end = text.indexOf(' ', start);
			if (end < 0) {
				end = text.length();
			}
			String entry = text.substring(start, end);
			int colon = entry.indexOf(':');
			try {
				long count = Long.parseLong(entry.substring(colon + 1));
				if (colon < 1 || count < 1) {
					throw new NumberFormatException();
				}
				histogram.add(Integer.parseInt(entry.substring(0, colon)), count);
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("not a level histogram entry: '" + entry + "'", ex);
			}
		}
		return histogram;
	}

	static int classOf(double level) {
		return (int) Math.round(level * 10);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof LevelHistogram histogram && this.counts.equals(histogram.counts);
	}

	@Override
	public int hashCode() {
		return this.counts.hashCode();
	}

	@Override
	public String toString() {
		return encode();
	}

}
