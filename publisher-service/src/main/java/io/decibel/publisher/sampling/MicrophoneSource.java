package io.decibel.publisher.sampling;

import java.time.Duration;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;

/** The default capture line of the machine, read one window at a time. */
final class MicrophoneSource implements NoiseSource {

	/**
	 * The rates asked for, best first: 48 kHz keeps the whole audible band, which the A-weighting spans; a line that
	 * offers none of the higher rates is read at 16 kHz, where the weighting stops at 8 kHz (docs/levels.md).
	 */
	static final float[] SAMPLE_RATES = { 48_000f, 44_100f, 32_000f, 22_050f, 16_000f };

	private final TargetDataLine line;

	private final float sampleRate;

	private final byte[] window;

	private MicrophoneSource(TargetDataLine line, float sampleRate, Duration window) {
		this.line = line;
		this.sampleRate = sampleRate;
		this.window = new byte[Pcm16.samplesPerWindow(window, sampleRate) * Pcm16.BYTES_PER_SAMPLE];
	}

	/**
	 * Opens and starts the capture line, at the highest of {@link #SAMPLE_RATES} it offers.
	 * @throws LineUnavailableException when the line is there but taken
	 * @throws IllegalArgumentException when the machine has no line for the format (no sound card, a container)
	 */
	static MicrophoneSource open(Duration window) throws LineUnavailableException {
		AudioFormat format = format(SAMPLE_RATES[SAMPLE_RATES.length - 1]);
		for (float rate : SAMPLE_RATES) {
			if (AudioSystem.isLineSupported(new DataLine.Info(TargetDataLine.class, format(rate)))) {
				format = format(rate);
				break;
			}
		}
		TargetDataLine line = AudioSystem.getTargetDataLine(format);
		line.open(format);
		line.start();
		return new MicrophoneSource(line, format.getSampleRate(), window);
	}

	private static AudioFormat format(float sampleRate) {
		return new AudioFormat(sampleRate, 16, 1, true, false);
	}

	@Override
	public String name() {
		return "microphone";
	}

	@Override
	public float sampleRate() {
		return this.sampleRate;
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
