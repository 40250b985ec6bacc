package io.decibel.publisher.publishing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import io.decibel.contract.DecodedReading;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox on disk: an append-only log of checksummed records, {@code <stateDir>/<deviceId>.outbox}. A record is
 * {@code length (int) · CRC-32C (int) · type (byte) · payload}, the checksum over type and payload:
 * <ul>
 * <li>{@code READING}: seq (long), then the reading as it goes on the wire (JSON)</li>
 * <li>{@code SETTLED}: seq (long) — acknowledged, given up, or re-numbered: no longer to be sent</li>
 * <li>{@code NEXT}: seq (long) — the counter moved on to at least this seq without a reading</li>
 * </ul>
 * Opening it replays the log: what was kept and not settled is pending, and numbering continues after the highest seq
 * in it. A record that is cut short or fails its checksum (a write torn by a crash, a damaged disk) ends the log: it
 * and everything after it are cut off, and said so. Once settled records dominate, the log is rewritten as one
 * {@code NEXT} and the pending readings ({@link #replace}).
 * <p>
 * Appends go to a buffer ({@link #append}); {@link #drain} takes them and {@link #write} puts them on disk and forces
 * them there. Callers guard the buffer; one thread writes.
 */
final class OutboxLog implements Closeable {

	private static final Logger LOG = LoggerFactory.getLogger(OutboxLog.class);

	static final byte READING = 1;

	static final byte SETTLED = 2;

	static final byte NEXT = 3;

	/** The file's first bytes: a log of this format, version 1. */
	private static final byte[] MAGIC = "DCBOUTB1".getBytes(StandardCharsets.US_ASCII);

	private static final int HEADER = 4 + 4;

	/** Far more than a reading takes (the wire contract's limit is 8 KiB): a larger length is damage. */
	private static final int MAX_RECORD = 64 * 1024;

	private final Path file;

	private final TelemetryCodec codec;

	private FileChannel channel;

	private ByteArrayOutputStream buffer = new ByteArrayOutputStream();

	private OutboxLog(Path file, TelemetryCodec codec, FileChannel channel) {
		this.file = file;
		this.codec = codec;
		this.channel = channel;
	}

	/**
	 * Opens the log, creating it when there is none, and replays it.
	 * @return the log, positioned after its last good record, and what it holds
	 */
	static Opened open(Path file, TelemetryCodec codec) throws IOException {
		boolean created = !Files.exists(file);
		FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
				StandardOpenOption.WRITE);
		try {
			Replay replay = replay(file, channel, codec);
			if (replay.validBytes() < channel.size()) {
				LOG.warn("Outbox {}: cut {} bytes after byte {} ({}); the {} records before them are kept", file,
						channel.size() - replay.validBytes(), replay.validBytes(), replay.damage(), replay.records());
				channel.truncate(replay.validBytes());
			}
			if (replay.validBytes() == 0) {
				channel.write(ByteBuffer.wrap(MAGIC), 0);
			}
			channel.force(true);
			channel.position(channel.size());
			if (created) {
				forceDirectory(file.getParent());
			}
			return new Opened(new OutboxLog(file, codec, channel), replay.pending(), replay.next(), replay.records());
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	/** Adds a record to the buffer; {@link #drain} and {@link #write} take it to disk. */
	void append(byte type, long seq) {
		append(type, seq, null);
	}

	void appendReading(Reading reading) {
		append(READING, reading.seq(), this.codec.encode(reading));
	}

	/** @return the records appended since the last drain, and an empty buffer for the next ones */
	byte[] drain() {
		byte[] bytes = this.buffer.toByteArray();
		this.buffer = new ByteArrayOutputStream();
		return bytes;
	}

	/** Writes the drained records at the end of the log and forces them to disk. */
	void write(byte[] records) {
		if (records.length == 0) {
			return;
		}
		long end = -1;
		try {
			end = this.channel.position();
			ByteBuffer bytes = ByteBuffer.wrap(records);
			while (bytes.hasRemaining()) {
				this.channel.write(bytes);
			}
			// the data, and the file's length with it: fdatasync, as a database's log does
			this.channel.force(false);
		}
		catch (IOException ex) {
			// a part written would end the log there for the next replay, and hide what is written after it
			cutBack(end);
			throw new UncheckedIOException("Cannot write the outbox " + this.file, ex);
		}
	}

	/**
	 * The log compacted: a {@code NEXT} and the given readings, which must hold every effect of what is in the buffer
	 * (the buffer is emptied). {@link #replace} puts it in place of the log.
	 */
	byte[] compacted(Collection<Reading> pending, long next) {
		this.buffer = new ByteArrayOutputStream();
		append(NEXT, next);
		for (Reading reading : pending) {
			appendReading(reading);
		}
		ByteArrayOutputStream image = new ByteArrayOutputStream();
		image.writeBytes(MAGIC);
		image.writeBytes(drain());
		return image.toByteArray();
	}

	/**
	 * Puts the compacted log in place of the log: written beside it, forced, renamed over it, the directory forced.
	 * A crash at any point leaves either the old log or the new one.
	 */
	void replace(byte[] compacted) {
		Path temporary = this.file.resolveSibling(this.file.getFileName() + ".tmp");
		try {
			try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING)) {
				ByteBuffer bytes = ByteBuffer.wrap(compacted);
				while (bytes.hasRemaining()) {
					out.write(bytes);
				}
				out.force(true);
			}
			Files.move(temporary, this.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			forceDirectory(this.file.getParent());
			FileChannel old = this.channel;
			this.channel = FileChannel.open(this.file, StandardOpenOption.READ, StandardOpenOption.WRITE);
			this.channel.position(this.channel.size());
			old.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot compact the outbox " + this.file, ex);
		}
	}

	private void cutBack(long end) {
		if (end < 0) {
			return;
		}
		try {
			this.channel.truncate(end);
			this.channel.position(end);
		}
		catch (IOException ex) {
			LOG.warn("Could not cut the outbox {} back to {} bytes after a failed write: {}", this.file, end,
					ex.getMessage());
		}
	}

	long size() throws IOException {
		return this.channel.size();
	}

	Path file() {
		return this.file;
	}

	@Override
	public void close() throws IOException {
		this.channel.close();
	}

	/** Makes a rename or a new file in the directory durable: the directory's entry is data too. */
	static void forceDirectory(Path directory) throws IOException {
		try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
			channel.force(true);
		}
	}

	private void append(byte type, long seq, byte[] body) {
		int length = 1 + 8 + ((body != null) ? body.length : 0);
		ByteBuffer record = ByteBuffer.allocate(HEADER + length);
		record.putInt(length).putInt(0).put(type).putLong(seq);
		if (body != null) {
			record.put(body);
		}
		CRC32C crc = new CRC32C();
		crc.update(record.array(), HEADER, length);
		record.putInt(4, (int) crc.getValue());
		this.buffer.writeBytes(record.array());
	}

	private static Replay replay(Path file, FileChannel channel, TelemetryCodec codec) throws IOException {
		SortedMap<Long, Reading> pending = new TreeMap<>();
		long next = 0;
		int records = 0;
		long size = channel.size();
		if (size == 0) {
			return new Replay(pending, next, 0, 0, "");
		}
		ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
		readFully(channel, magic, 0);
		if (magic.hasRemaining() || !Arrays.equals(magic.array(), MAGIC)) {
			return new Replay(pending, next, 0, records, "not an outbox of this format");
		}
		long position = MAGIC.length;
		ByteBuffer header = ByteBuffer.allocate(HEADER);
		while (position < size) {
			header.clear();
			readFully(channel, header, position);
			if (header.hasRemaining()) {
				return new Replay(pending, next, position, records, "a record cut short");
			}
			int length = header.getInt(0);
			if (length < 9 || length > MAX_RECORD || position + HEADER + length > size) {
				return new Replay(pending, next, position, records, "a record cut short or damaged");
			}
			ByteBuffer body = ByteBuffer.allocate(length);
			readFully(channel, body, position + HEADER);
			CRC32C crc = new CRC32C();
			crc.update(body.array(), 0, length);
			if ((int) crc.getValue() != header.getInt(4)) {
				return new Replay(pending, next, position, records, "a record failing its checksum");
			}
			byte type = body.get(0);
			long seq = body.getLong(1);
			switch (type) {
				case READING -> {
					byte[] json = Arrays.copyOfRange(body.array(), 9, length);
					DecodedReading decoded = codec.decodeReading(json);
					if (decoded.isValid()) {
						pending.put(seq, decoded.reading());
					}
					else {
						LOG.warn("Outbox {}: seq={} cannot be read back ({}): not re-sent", file, seq,
								decoded.reason());
					}
					next = Math.max(next, seq + 1);
				}
				case SETTLED -> pending.remove(seq);
				case NEXT -> next = Math.max(next, seq);
				default -> {
					return new Replay(pending, next, position, records, "a record of unknown type " + type);
				}
			}
			records++;
			position += HEADER + length;
		}
		return new Replay(pending, next, position, records, "");
	}

	private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
		while (into.hasRemaining()) {
			int read = channel.read(into, position + into.position());
			if (read < 0) {
				return;
			}
		}
	}

	/**
	 * The log, opened.
	 *
	 * @param log the log, for appends
	 * @param pending the readings kept and not settled, by seq
	 * @param next the seq after the highest the log ever numbered
	 * @param records how many records the log held
	 */
	record Opened(OutboxLog log, SortedMap<Long, Reading> pending, long next, int records) {
	}

	private record Replay(SortedMap<Long, Reading> pending, long next, long validBytes, int records, String damage) {
	}

}
