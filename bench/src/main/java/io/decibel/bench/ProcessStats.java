package io.decibel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a process, from Linux's {@code /proc}: {@code utime + stime} of {@code /proc/<pid>/stat}
 * (in clock ticks) and {@code VmRSS} / {@code VmHWM} (the peak resident set) of {@code /proc/<pid>/status}.
 */
final class ProcessStats {

	/** USER_HZ: 100 on every Linux this runs on; the JDK offers no way to ask for it. */
	static final int CLOCK_TICKS_PER_SECOND = 100;

	private ProcessStats() {
	}

	/** CPU seconds (user + system) the process has used so far, or -1 where {@code /proc} cannot tell. */
	static double cpuSeconds(long pid) {
		try {
			return cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))
					/ (double) CLOCK_TICKS_PER_SECOND;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/** Resident memory now, in MiB, or -1. */
	static double rssMiB(long pid) {
		return statusKiB(pid, "VmRSS") / 1024.0;
	}

	/** The highest resident memory the process has had, in MiB, or -1. */
	static double peakRssMiB(long pid) {
		return statusKiB(pid, "VmHWM") / 1024.0;
	}

	private static double statusKiB(long pid, String field) {
		try {
			return statusField(Files.readString(Path.of("/proc", Long.toString(pid), "status")), field);
		}
		catch (IOException | RuntimeException ex) {
			return -1024;
		}
	}

	/**
	 * utime + stime of a {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may hold
	 * spaces and parentheses itself, so fields are counted from the last closing parenthesis: utime and stime are
	 * fields 14 and 15.
	 */
	static long cpuTicks(String stat) {
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
		// fields[0] is field 3 (state)
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	/** A {@code kB} field of {@code /proc/<pid>/status}, such as {@code VmHWM:   123456 kB}. */
	static long statusField(String status, String field) {
		for (String line : status.split("\n")) {
			if (line.startsWith(field + ":")) {
				return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
			}
		}
		throw new IllegalArgumentException("No " + field + " in the status");
	}

}
