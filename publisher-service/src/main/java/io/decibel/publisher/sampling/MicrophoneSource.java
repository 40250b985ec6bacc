package io.decibel.publisher.sampling;

import java.time.Duration;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;

/** The default capture line of the machine, read one window at a time. */
final class MicrophoneSource implements NoiseSource {

	static final AudioFormat FORMAT = new AudioFormat(16_000f, 16, 1, true, false);

	private final TargetDataLine line;

	private final byte[] window;

	private MicrophoneSource(TargetDataLine line, Duration window) {
		this.line = line;
		this.window = new byte[Pcm16.samplesPerWindow(window, FORMAT.getSampleRate()) * Pcm16.BYTES_PER_SAMPLE];
	}

	/**
	 * Opens and starts the capture line.
	 * @throws LineUnavailableException when the line is there but taken
	 * @throws IllegalArgumentException when the machine has no line for the format (no sound card, a container)
	 */
	static MicrophoneSource open(Duration window) throws LineUnavailableException {
		TargetDataLine line = AudioSystem.getTargetDataLine(FORMAT);
		line.open(FORMAT);
		line.start();
		return new MicrophoneSource(line, window);
	}

	@Override
	public String name() {
		return "microphone";
	}

	@Override
	public short[] read() {
		// blocks until the window is full, i.e. for the window's real duration
		int read = this.line.read(this.window, 0, this.window.length);
		return Pcm16.toMonoSamples(this.window, read, 1);
	}

	@Override
	public boolean live() {
		return true;
	}

	@Override
	public void close() {
		this.line.stop();
		this.line.close();
	}

}
