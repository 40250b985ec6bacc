package io.decibel.publisher.publishing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The device's sequence counter, kept in {@code <stateDir>/<deviceId>.seq} so that {@code (deviceId, seq)} never
 * repeats across restarts. The file holds the next seq to hand out and is written, atomically, before the seq is
 * used: a crash may skip a seq, never repeat one.
 */
class SequenceStore {

	private final Path file;

	private final Path temporary;

	private long next;

	SequenceStore(Path stateDir, String deviceId) {
		this.file = stateDir.resolve(deviceId + ".seq");
		// one fixed name: a crash between write and move leaves a file the next write replaces, not litter
		this.temporary = stateDir.resolve(deviceId + ".seq.tmp");
		try {
			Files.createDirectories(stateDir);
			this.next = Files.exists(this.file) ? read(this.file) : 0;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot use " + stateDir + " as the publisher's state directory", ex);
		}
	}

	/** Reserves the next seq: it is on disk before it is returned. */
	synchronized long next() {
		long seq = this.next;
		write(seq + 1);
		this.next = seq + 1;
		return seq;
	}

	private void write(long next) {
		try (FileChannel channel = FileChannel.open(this.temporary, StandardOpenOption.CREATE,
				StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
			channel.write(ByteBuffer.wrap(Long.toString(next).getBytes(StandardCharsets.US_ASCII)));
			channel.force(true);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write " + this.temporary, ex);
		}
		try {
			Files.move(this.temporary, this.file, StandardCopyOption.ATOMIC_MOVE,
					StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot move " + this.temporary + " to " + this.file, ex);
		}
	}

	private static long read(Path file) throws IOException {
		String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
		try {
			long next = Long.parseLong(text);
			if (next < 0) {
				throw new NumberFormatException("negative");
			}
			return next;
		}
		catch (NumberFormatException ex) {
			// starting again at 0 would repeat seqs the relay already stored: refuse to guess
			throw new IllegalStateException(file + " does not hold a sequence number ('" + text
					+ "'); fix or remove it, knowing that a lower number repeats seqs", ex);
		}
	}

}
