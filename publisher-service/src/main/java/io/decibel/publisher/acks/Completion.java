package io.decibel.publisher.acks;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import io.decibel.contract.AckStatus;
import io.decibel.publisher.PublisherProperties;
import io.decibel.publisher.publishing.DurableOutbox;
import io.decibel.publisher.publishing.ReadingGivenUp;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The end of a counted run: complete once each of the readings {@code decibel.publisher.count} asks for, and each
 * reading the outbox kept from before a restart, is done — acknowledged, or given up (done, and lost: the process then
 * exits with a status of its own, see {@code PublisherApplication}). A reading answered {@code CONFLICT} is not done:
 * it goes out again under a new seq — unless the relay named that very reading as the holder of its seq: then it is
 * stored. A run without a count never completes.
 */
@Component
public class Completion {

	private static final Logger LOG = LoggerFactory.getLogger(Completion.class);

	private final @Nullable Long count;

	private final SortedSet<Long> acknowledged = new TreeSet<>();

	private final SortedSet<Long> rejected = new TreeSet<>();

	private final SortedSet<Long> givenUp = new TreeSet<>();

	private final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

	/** The readings the run waits for: its count, and those kept before a restart and sent again. */
	private final long expected;

	Completion(PublisherProperties properties, DurableOutbox outbox) {
		this.count = properties.count();
		this.expected = (this.count != null) ? this.count + outbox.recovered() : 0;
	}

	synchronized void acknowledged(long seq, AckStatus status) {
		if (this.count == null) {
			// an open-ended run keeps no record: it would grow for ever
			return;
		}
		this.acknowledged.add(seq);
		if (status == AckStatus.REJECTED) {
			this.rejected.add(seq);
		}
		completeWhenAllDone();
	}

	@EventListener
	synchronized void givenUp(ReadingGivenUp event) {
		if (this.count == null) {
			return;
		}
		this.givenUp.add(event.reading().seq());
		completeWhenAllDone();
	}

	private void completeWhenAllDone() {
		if (this.acknowledged.size() + this.givenUp.size() != this.expected) {
			return;
		}
		if (this.givenUp.isEmpty()) {
			LOG.info("All {} readings acknowledged", this.expected);
		}
		else {
			LOG.warn("All {} readings done, {} of them given up and perhaps lost: seq {}", this.expected,
					this.givenUp.size(), this.givenUp);
		}
		if (!this.rejected.isEmpty()) {
			LOG.warn("{} of them were rejected and will never be stored: seq {}", this.rejected.size(),
					this.rejected);
		}
		this.outcome.complete(true);
	}

	/**
	 * Waits for the end of a counted run.
	 * @return true when every reading was acknowledged or given up ({@link #givenUpSeqs()}), false when the
	 * application was closed first
	 */
	public boolean awaitAllAcknowledged() throws InterruptedException {
		try {
			return this.outcome.get();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	public boolean isComplete() {
		return Boolean.TRUE.equals(this.outcome.getNow(false));
	}

	/** The seqs acknowledged in this counted run, rejected ones included. */
	public synchronized SortedSet<Long> acknowledgedSeqs() {
		return Collections.unmodifiableSortedSet(new TreeSet<>(this.acknowledged));
	}

	/** The seqs given up in this counted run: sent perhaps, never confirmed. */
	public synchronized SortedSet<Long> givenUpSeqs() {
		return Collections.unmodifiableSortedSet(new TreeSet<>(this.givenUp));
	}

	/** The seqs the relay rejected in this counted run. */
	public synchronized SortedSet<Long> rejectedSeqs() {
		return Collections.unmodifiableSortedSet(new TreeSet<>(this.rejected));
	}

	@EventListener(ContextClosedEvent.class)
	void release() {
		this.outcome.complete(false);
	}

}
