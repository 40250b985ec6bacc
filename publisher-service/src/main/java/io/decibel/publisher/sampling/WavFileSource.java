package io.decibel.publisher.sampling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * A WAV file played as if it were a microphone, looped at its end: how the microphone path is exercised on
 * machines without a sound card. Whatever the file's sample size, it is converted to 16-bit, and its channels
 * are mixed down to mono.
 */
final class WavFileSource implements NoiseSource {

	private final Path file;

	private final AudioFormat format;

	private final byte[] window;

	private AudioInputStream stream;

	WavFileSource(Path file, Duration window) throws IOException, UnsupportedAudioFileException {
		this.file = file;
		AudioFormat original;
		try (AudioInputStream probe = AudioSystem.getAudioInputStream(file.toFile())) {
			original = probe.getFormat();
		}
		this.format = new AudioFormat(original.getSampleRate(), 16, original.getChannels(), true, false);
		int samples = Pcm16.samplesPerWindow(window, this.format.getSampleRate());
		this.window = new byte[samples * this.format.getFrameSize()];
		this.stream = open();
	}

	@Override
	public String name() {
		return "wav";
	}

	@Override
	public float sampleRate() {
		return this.format.getSampleRate();
	}

	@Override
	public synchronized short[] read() {
		try {
			int filled = 0;
			boolean readSinceOpen = true;
			while (filled < this.window.length) {
				int read = this.stream.read(this.window, filled, this.window.length - filled);
				if (read > 0) {
					filled += read;
					readSinceOpen = true;
				}
				else if (read < 0) {
					if (!readSinceOpen) {
						throw new IllegalStateException(this.file + " holds no audio");
					}
					this.stream.close();
					this.stream = open();
					readSinceOpen = false;
				}
			}
			return Pcm16.toMonoSamples(this.window, filled, this.format.getChannels());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read " + this.file, ex);
		}
	}

	@Override
	public synchronized void close() {
		try {
			this.stream.close();
		}
		catch (IOException ex) {
			// nothing left to read from it anyway
		}
	}

	private AudioInputStream open() throws IOException {
		try {
			AudioInputStream original = AudioSystem.getAudioInputStream(this.file.toFile());
			return AudioSystem.getAudioInputStream(this.format, original);
		}
		catch (UnsupportedAudioFileException ex) {
			throw new IOException(ex);
		}
	}

}
