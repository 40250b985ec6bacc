package io.decibel.publisher.sampling;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.UnsupportedAudioFileException;

import io.decibel.publisher.PublisherProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Picks the noise source the configuration names, and says in one log line which one it is and why. */
@Configuration(proxyBeanMethods = false)
class NoiseSourceConfiguration {

	private static final Logger LOG = LoggerFactory.getLogger(NoiseSourceConfiguration.class);

	private static final String WAV_PREFIX = "wav:";

	@Bean(destroyMethod = "close")
	NoiseSource noiseSource(PublisherProperties properties) throws Exception {
		String source = properties.source();
		Duration window = properties.window();
		if (source.startsWith(WAV_PREFIX)) {
			Path file = Path.of(source.substring(WAV_PREFIX.length()));
			NoiseSource wav = wav(file, window);
			LOG.info("Noise source: wav {} at {} Hz (configured)", file, (int) wav.sampleRate());
			return wav;
		}
		switch (source) {
			case "microphone":
				// asked for explicitly: no microphone is a reason not to start
				NoiseSource microphone = MicrophoneSource.open(window);
				LOG.info("Noise source: microphone at {} Hz (configured)", (int) microphone.sampleRate());
				return microphone;
			case "synthetic":
				LOG.info("Noise source: synthetic (configured, seed {})", properties.syntheticSeed());
				return new SyntheticSource(properties.syntheticSeed(), window);
			default:
				return microphoneOrSynthetic(properties);
		}
	}

	private static NoiseSource microphoneOrSynthetic(PublisherProperties properties) {
		try {
			NoiseSource microphone = MicrophoneSource.open(properties.window());
			LOG.info("Noise source: microphone at {} Hz (auto: a capture line opened)", (int) microphone.sampleRate());
			return microphone;
		}
		catch (LineUnavailableException | IllegalArgumentException | SecurityException ex) {
			LOG.info("Noise source: synthetic (no microphone: {})", ex.getMessage());
			return new SyntheticSource(properties.syntheticSeed(), properties.window());
		}
	}

	private static NoiseSource wav(Path file, Duration window) throws IOException {
		try {
			return new WavFileSource(file, window);
		}
		catch (UnsupportedAudioFileException | IllegalArgumentException ex) {
			throw new IllegalStateException("Cannot read " + file + " as a WAV file: " + ex.getMessage(), ex);
		}
	}

}
