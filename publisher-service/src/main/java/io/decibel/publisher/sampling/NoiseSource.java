package io.decibel.publisher.sampling;

/**
 * Where the noise comes from: one window of 16-bit signed mono PCM samples per {@link #read()}.
 */
public interface NoiseSource extends AutoCloseable {

	/** The source's name as readings carry it: {@code microphone}, {@code wav} or {@code synthetic}. */
	String name();

	/**
	 * Reads the next window. A live source blocks for the window's real duration; the others return at once.
	 */
	short[] read();

	/** The rate of the samples, Hz: the sound level meter's filters are designed for it. */
	float sampleRate();

	/**
	 * Whether {@link #read()} keeps real time by itself; when it does not, the caller paces the windows.
	 */
	default boolean live() {
		return false;
	}

	@Override
	default void close() {
	}

}
