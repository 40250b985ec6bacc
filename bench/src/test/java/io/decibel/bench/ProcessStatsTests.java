package io.decibel.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessStatsTests {

	@Test
	void addsUserAndSystemTicksCountingFieldsAfterTheCommandName() {
		// the command name may hold spaces and parentheses
		String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 30000 0 12 0 1234 567 0 0 20 0 40 0 100 "
				+ "4000000000 60000 18446744073709551615";

		assertThat(ProcessStats.cpuTicks(stat)).isEqualTo(1234 + 567);
	}

	@Test
	void readsKibibyteFieldsOfTheStatus() {
		String status = "Name:\tjava\nVmPeak:\t 4000000 kB\nVmHWM:\t  251904 kB\nVmRSS:\t  200000 kB\n";

		assertThat(ProcessStats.statusField(status, "VmHWM")).isEqualTo(251_904);
		assertThat(ProcessStats.statusField(status, "VmRSS")).isEqualTo(200_000);
	}

	@Test
	void measuresThisProcess() {
		long self = ProcessHandle.current().pid();

		// the peak only grows: read after the current figure, it is never below it
		double rss = ProcessStats.rssMiB(self);
		double peak = ProcessStats.peakRssMiB(self);

		assertThat(ProcessStats.cpuSeconds(self)).isPositive();
		assertThat(rss).isPositive();
		assertThat(peak).isGreaterThanOrEqualTo(rss);
	}

}
