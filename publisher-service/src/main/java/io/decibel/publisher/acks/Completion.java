package io.decibel.publisher.acks;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import io.decibel.contract.AckStatus;
import io.decibel.publisher.PublisherProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The end of a counted run: complete once as many readings as {@code decibel.publisher.count} asks for are
 * acknowledged. A run without a count never completes.
 */
@Component
public class Completion {

	private static final Logger LOG = LoggerFactory.getLogger(Completion.class);

	private final @Nullable Long count;

	private final SortedSet<Long> acknowledged = new TreeSet<>();

	private final SortedSet<Long> rejected = new TreeSet<>();

	private final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

	Completion(PublisherProperties properties) {
		this.count = properties.count();
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
		if (this.acknowledged.size() == this.count) {
			LOG.info("All {} readings acknowledged", this.count);
			if (!this.rejected.isEmpty()) {
				LOG.warn("{} of them were rejected and will never be stored: seq {}", this.rejected.size(),
						this.rejected);
			}
			this.outcome.complete(true);
		}
	}

	/**
	 * Waits for the end of a counted run.
	 * @return true when all readings were acknowledged, false when the application was closed first
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

	/** The seqs the relay rejected in this counted run. */
	public synchronized SortedSet<Long> rejectedSeqs() {
		return Collections.unmodifiableSortedSet(new TreeSet<>(this.rejected));
	}

	@EventListener(ContextClosedEvent.class)
	void release() {
		this.outcome.complete(false);
	}

}
