package io.decibel.publisher.calibration;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * The device's calibration in its state directory, {@code <deviceId>.calibration}: a properties file with the offset,
 * the reference level it was taken against and when. Written whole to a temporary file, then moved into place: a crash
 * leaves the old calibration or the new one, never half of one.
 */
public final class CalibrationStore {

	private final Path file;

	public CalibrationStore(Path stateDir, String deviceId) {
		this.file = stateDir.resolve(deviceId + ".calibration");
	}

	public Path file() {
		return this.file;
	}

	/**
	 * @return the stored offset, dB; empty when the device was never calibrated
	 * @throws IllegalStateException when the file is there but holds no offset
	 */
	public Optional<Double> offset() {
		if (!Files.exists(this.file)) {
			return Optional.empty();
		}
		Properties properties = new Properties();
		try (Reader reader = Files.newBufferedReader(this.file, StandardCharsets.UTF_8)) {
			properties.load(reader);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the calibration " + this.file, ex);
		}
		try {
			double offset = Double.parseDouble(properties.getProperty("offset", ""));
			if (!Double.isFinite(offset)) {
				throw new NumberFormatException("not finite");
			}
			return Optional.of(offset);
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException(this.file + " holds no offset: calibrate again, or remove it", ex);
		}
	}

	public void save(ReferenceTone tone, Instant at) {
		Properties properties = new Properties();
		properties.setProperty("offset", String.format(Locale.ROOT, "%.3f", tone.offset()));
		properties.setProperty("reference", String.format(Locale.ROOT, "%.2f", tone.referenceLevel()));
		properties.setProperty("measured", String.format(Locale.ROOT, "%.3f", tone.measuredLevel()));
		properties.setProperty("calibratedAt", at.toString());
		try {
			Files.createDirectories(this.file.getParent());
			Path written = Files.createTempFile(this.file.getParent(), this.file.getFileName().toString(), ".tmp");
			try (Writer writer = Files.newBufferedWriter(written, StandardCharsets.UTF_8)) {
				properties.store(writer, "Decibel device calibration: offset (dB) = reference - measured (dB(A)FS)");
			}
			Files.move(written, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot store the calibration in " + this.file, ex);
		}
	}

}
