package io.decibel.publisher.sampling;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import io.decibel.contract.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NoiseLevelTests {

	private static final float RATE = 16_000f;

	@TempDir
	Path dir;

	@Test
	void sineOfAmplitudeAHasRmsOfAOverRootTwo() throws Exception {
		// given
		double amplitude = 10_000;
		Path wav = write("sine.wav", sine(amplitude, 1_000, 16_000), 1);

		// when
		NoiseLevel level = levelOfFirstSecond(wav);

		// then
		double rms = amplitude / Math.sqrt(2);
		assertThat(level.rms()).isCloseTo(rms, within(rms * 0.001));
		assertThat(level.dbfs()).isCloseTo(20 * Math.log10(rms / 32768), within(0.1));
		assertThat(level.peak()).isCloseTo(amplitude, within(1.0));
	}

	@Test
	void fullScaleSquareWaveIsZeroDbfs() throws Exception {
		// given
		short[] square = new short[16_000];
		for (int i = 0; i < square.length; i++) {
			square[i] = ((i / 8) % 2 == 0) ? Short.MAX_VALUE : -Short.MAX_VALUE;
		}
		Path wav = write("square.wav", square, 1);

		// when
		NoiseLevel level = levelOfFirstSecond(wav);

		// then
		assertThat(level.dbfs()).isCloseTo(0.0, within(0.1));
	}

	@Test
	void silenceIsTheFloorNotMinusInfinity() throws Exception {
		// given
		Path wav = write("silence.wav", new short[16_000], 1);

		// when
		NoiseLevel level = levelOfFirstSecond(wav);

		// then
		assertThat(level.rms()).isZero();
		assertThat(level.dbfs()).isEqualTo(Reading.DBFS_FLOOR).isFinite();
		assertThat(level.peak()).isZero();
	}

	@Test
	void peakOfTheMostNegativeSampleIsFullScale() {
		// when
		NoiseLevel level = NoiseLevel.of(new short[] { 0, Short.MIN_VALUE, 100 });

		// then
		assertThat(level.peak()).isEqualTo(32768.0);
	}

	@Test
	void stereoWavIsMixedDownToMono() throws Exception {
		// given: the same sine on both channels
		short[] mono = sine(8_000, 500, 16_000);
		short[] stereo = new short[mono.length * 2];
		for (int i = 0; i < mono.length; i++) {
			stereo[2 * i] = mono[i];
			stereo[2 * i + 1] = mono[i];
		}
		Path wav = write("stereo.wav", stereo, 2);

		// when
		NoiseLevel level = levelOfFirstSecond(wav);

		// then
		assertThat(level.rms()).isCloseTo(8_000 / Math.sqrt(2), within(8.0));
	}

	@Test
	void wavSourceLoopsAtTheEndOfTheFile() throws Exception {
		// given: a quarter of a second of sine, read in windows of one second
		Path wav = write("short.wav", sine(10_000, 1_000, 4_000), 1);

		try (WavFileSource source = new WavFileSource(wav, Duration.ofSeconds(1))) {
			// when
			short[] first = source.read();
			short[] second = source.read();

			// then
			assertThat(first).hasSize(16_000);
			assertThat(NoiseLevel.of(first).rms()).isCloseTo(10_000 / Math.sqrt(2), within(10.0));
			assertThat(second).isEqualTo(first);
		}
	}

	private NoiseLevel levelOfFirstSecond(Path wav) throws Exception {
		try (WavFileSource source = new WavFileSource(wav, Duration.ofSeconds(1))) {
			return NoiseLevel.of(source.read());
		}
	}

	/** A whole number of periods, so that the RMS is exactly that of the sine. */
	private static short[] sine(double amplitude, double frequency, int samples) {
		short[] sine = new short[samples];
		for (int i = 0; i < samples; i++) {
			sine[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * frequency * i / RATE));
		}
		return sine;
	}

	private Path write(String name, short[] interleaved, int channels) throws Exception {
		byte[] bytes = new byte[interleaved.length * 2];
		for (int i = 0; i < interleaved.length; i++) {
			bytes[2 * i] = (byte) interleaved[i];
			bytes[2 * i + 1] = (byte) (interleaved[i] >> 8);
		}
		AudioFormat format = new AudioFormat(RATE, 16, channels, true, false);
		Path file = this.dir.resolve(name);
		try (AudioInputStream stream = new AudioInputStream(new ByteArrayInputStream(bytes), format,
				interleaved.length / channels)) {
			AudioSystem.write(stream, AudioFileFormat.Type.WAVE, file.toFile());
		}
		return file;
	}

}
