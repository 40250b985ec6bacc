package io.decibel.relay.readings;

import java.time.Instant;
import java.util.List;

import io.decibel.contract.ReadingValidator;
import org.jspecify.annotations.Nullable;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The stored readings, newest stored first, a page at a time: each page gives the cursor of the next one. The database
 * reads a page in the order of an index, from just after the cursor, and stops when it is full: a deep page costs what
 * the first one does, and no page counts the table.
 */
@RestController
class ReadingsController {

	static final int MAX_PAGE_SIZE = 500;

	private final StoredReadingRepository readings;

	ReadingsController(StoredReadingRepository readings) {
		this.readings = readings;
	}

	/**
	 * @param from the start (included) of a window of storage time: on the axis of the order, so that a window long
	 * ago costs what a recent one does (a window of sampling time would read every reading stored since)
	 * @param to the end of the window (excluded)
	 * @param after the {@code next} of the page before; none for the newest readings
	 */
	@GetMapping("/api/readings")
	ReadingsPage readings(@RequestParam(required = false) @Nullable String device,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant from,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant to,
			@RequestParam(required = false) @Nullable String after, @RequestParam(defaultValue = "50") int size) {
		// the column's collation ignores trailing spaces: an id the contract would refuse must not find another's
		if (device != null && !ReadingValidator.isValidDeviceId(device)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"device must match " + ReadingValidator.DEVICE_ID.pattern());
		}
		int limit = Math.min(Math.max(size, 1), MAX_PAGE_SIZE);
		// one more than the page holds: whether there is a next page, without counting
		List<StoredReading> found = this.readings.findNewestStored(device, from, to, position(after), limit + 1);
		List<StoredReading> page = found.subList(0, Math.min(found.size(), limit));
		String next = (found.size() > limit) ? ReadingPosition.of(page.get(limit - 1)).cursor() : null;
		return new ReadingsPage(page.stream().map(ReadingView::of).toList(), limit, next);
	}

	private static @Nullable ReadingPosition position(@Nullable String after) {
		if (after == null || after.isEmpty()) {
			return null;
		}
		try {
			return ReadingPosition.ofCursor(after);
		}
		catch (IllegalArgumentException ex) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "after must be the next of an earlier page");
		}
	}

	/**
	 * @param next the cursor of the following page (older readings): pass it as {@code after}; {@code null} on the
	 * last page
	 */
	record ReadingsPage(List<ReadingView> items, int size, @Nullable String next) {
	}

}
