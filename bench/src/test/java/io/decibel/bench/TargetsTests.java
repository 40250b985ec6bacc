package io.decibel.bench;

import java.util.ArrayList;
import java.util.List;

import io.decibel.bench.BenchResults.ResponderResult;
import io.decibel.bench.BenchResults.Target;
import org.junit.jupiter.api.Test;

import static io.decibel.bench.SampleResults.keptUp;
import static io.decibel.bench.SampleResults.raw;
import static io.decibel.bench.SampleResults.saturated;
import static io.decibel.bench.SampleResults.storing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

class TargetsTests {

	@Test
	void judgesTheRelayAgainstEachGoalInTurn() {
		List<Target> targets = BenchRun.targets(SampleResults.responders());

		assertThat(targets).extracting(Target::name, Target::goal, Target::reached)
			.containsExactly(
					tuple("relay p99 − echo's p99 at 1,000 readings/s", "≤ 3 ms", "+2.20 ms (3.00 ms vs 0.80 ms)"),
					tuple("relay p50 − echo's p50 at 1,000 readings/s", "≤ 1.5 ms", "+0.55 ms (0.75 ms vs 0.20 ms)"),
					tuple("relay p99 at 1,000 readings/s vs naive's", "≤ naive's", "3.00 ms vs 4.50 ms"),
					tuple("relay p99 − echo's p99 at 100 readings/s", "≤ 3 ms", "+1.50 ms (2.00 ms vs 0.50 ms)"),
					tuple("relay p50 − echo's p50 at 100 readings/s", "≤ 1.5 ms", "+0.38 ms (0.50 ms vs 0.13 ms)"),
					tuple("relay ACKed/s vs raw", "≥ 85 %", "90 %"), tuple("relay ACKed/s vs naive", "≥ 5×", "7.5×"),
					tuple("relay peak RSS under load", "≤ 256 MB", "240 MB"),
					tuple("`relay (jdbc:mariadb)`: one row per reading in every phase, none twice", "rows = readings",
							"86,000 rows of 86,000 readings"),
					tuple("`relay (jdbc:mysql)` ACKed/s vs `relay (jdbc:mariadb)`", "≥ 90 %", "94 %"),
					tuple("`relay (jdbc:mysql)`: one row per reading in every phase, none twice", "rows = readings",
							"86,000 rows of 86,000 readings"));
		assertThat(targets).allMatch(Target::met);
	}

	@Test
	void comparesTheRelayWithRetentionDeletingAgainstTheRelayWithoutPairByPair() {
		List<ResponderResult> responders = List.of(
				storing("relay (retention #1)", 5_400, keptUp(100, 2), keptUp(1_000, 4.2)),
				storing("relay (no retention #1)", 6_000, keptUp(100, 2), keptUp(1_000, 4)),
				storing("relay (no retention #2)", 6_000, keptUp(1_000, 4)),
				storing("relay (retention #2)", 5_000, keptUp(1_000, 5)));

		List<Target> targets = BenchRun.retentionTargets(responders,
				java.util.Map.of("relay (retention #1)", 1_000L, "relay (retention #2)", 0L));

		assertThat(met(targets)).containsExactly(tuple("retention #1: ACKed/s with retention deleting vs without", true),
				tuple("retention #1: p99 at 100/s with vs without", true),
				tuple("retention #1: p99 at 1,000/s with vs without", true),
				// below 90 %, and retention had finished before the phases did: no comparison
				tuple("retention #2: ACKed/s with retention deleting vs without", false),
				tuple("retention #2: p99 at 1,000/s with vs without", false));
		assertThat(targets.get(0).reached()).startsWith("90 % (5,400 vs 6,000/s");
	}

	@Test
	void wantsAtMostThreeMillisecondsAboveTheEchosP99AndOneAndAHalfAboveItsMedian() {
		// p50 is a quarter of p99 in these samples
		List<Target> targets = BenchRun.targets(List.of(raw(10_000, keptUp(100, 0.5), keptUp(1_000, 0.8)),
				storing("relay", 9_000, keptUp(100, 7), keptUp(1_000, 4))));

		assertThat(met(targets)).containsExactly(tuple("relay p99 − echo's p99 at 1,000 readings/s", false),
				tuple("relay p50 − echo's p50 at 1,000 readings/s", true),
				tuple("relay p99 − echo's p99 at 100 readings/s", false),
				tuple("relay p50 − echo's p50 at 100 readings/s", false), tuple("relay ACKed/s vs raw", true),
				tuple("relay peak RSS under load", true),
				tuple("`relay`: one row per reading in every phase, none twice", true));
		assertThat(find(targets, "relay p99 − echo's p99 at 1,000 readings/s").reached())
			.isEqualTo("+3.20 ms (4.00 ms vs 0.80 ms)");
	}

	@Test
	void withoutTheEchoWantsAtMostFiveMillisecondsAtAThousandAndThreeAtAHundred() {
		List<Target> targets = BenchRun.targets(List.of(storing("relay", 9_000, keptUp(100, 3.1), keptUp(1_000, 5.2))));

		assertThat(met(targets)).containsExactly(tuple("relay p99 publish→ACK at 1,000 readings/s", false),
				tuple("relay p99 publish→ACK at 100 readings/s", false), tuple("relay peak RSS under load", true),
				tuple("`relay`: one row per reading in every phase, none twice", true));
	}

	@Test
	void anEchoThatFellBehindLeavesNoDifferenceToJudge() {
		List<Target> targets = BenchRun.targets(List.of(raw(10_000, keptUp(100, 0.5), saturated(1_000, 700)),
				storing("relay", 9_000, keptUp(100, 2), keptUp(1_000, 3))));

		assertThat(find(targets, "relay p99 − echo's p99 at 1,000 readings/s"))
			.extracting(Target::reached, Target::met)
			.containsExactly("the echo saturated (700 ACKed/s)", false);
	}

	@Test
	void wantsSixtyPercentOfTheEchosBurstAndAtMostOneRenewal() {
		ResponderResult raw = SampleResults.withBurst(raw(10_000), 18_000, null);

		List<Target> fast = BenchRun.targets(List.of(raw, SampleResults.withBurst(storing("relay", 8_500), 10_800,
				new BenchResults.RelayCounters(1, 900, 1_000))));
		List<Target> thrashing = BenchRun.targets(List.of(raw, SampleResults.withBurst(storing("relay", 8_500), 2_800,
				new BenchResults.RelayCounters(9, 11_000, 12_000))));

		assertThat(find(fast, "relay ACKed/s vs raw, burst")).extracting(Target::reached, Target::met)
			.containsExactly("60 % (10,800 vs 18,000/s)", true);
		assertThat(find(fast, "relay renewals over the burst").met()).isTrue();
		assertThat(find(thrashing, "relay ACKed/s vs raw, burst")).extracting(Target::reached, Target::met)
			.containsExactly("16 % (2,800 vs 18,000/s)", false);
		assertThat(find(thrashing, "relay renewals over the burst")).extracting(Target::reached, Target::met)
			.containsExactly("9 (11,000 deliveries turned away, 12,000 beyond the window)", false);
	}

	@Test
	void wantsTheRelayNoSlowerThanTheNaiveRelayAtAThousand() {
		List<Target> targets = BenchRun.targets(List.of(storing("relay", 9_000, keptUp(100, 2), keptUp(1_000, 4)),
				storing("naive", 1_500, keptUp(100, 1), keptUp(1_000, 3.5))));

		assertThat(find(targets, "relay p99 at 1,000 readings/s vs naive's"))
			.extracting(Target::reached, Target::met)
			.containsExactly("4.00 ms vs 3.50 ms", false);
		assertThat(find(targets, "relay p99 publish→ACK at 1,000 readings/s").met()).isTrue();
	}

	@Test
	void aNaiveRelayThatFellBehindHasNoP99ToBeat() {
		List<Target> targets = BenchRun.targets(List.of(storing("relay", 9_000, keptUp(100, 2), keptUp(1_000, 4)),
				storing("naive", 900, keptUp(100, 1), saturated(1_000, 700))));

		assertThat(find(targets, "relay p99 at 1,000 readings/s vs naive's"))
			.extracting(Target::reached, Target::met)
			.containsExactly("4.00 ms vs saturated (700 ACKed/s)", true);
	}

	@Test
	void aRelayThatFellBehindMeetsNoLatencyGoal() {
		List<Target> targets = BenchRun.targets(List.of(storing("relay", 900, keptUp(100, 2), saturated(1_000, 700)),
				storing("naive", 900, keptUp(100, 1), saturated(1_000, 650))));

		assertThat(find(targets, "relay p99 publish→ACK at 1,000 readings/s"))
			.extracting(Target::reached, Target::met)
			.containsExactly("saturated (700 ACKed/s)", false);
		assertThat(find(targets, "relay p99 at 1,000 readings/s vs naive's").met()).isFalse();
	}

	@Test
	void aRateThatDidNotRunIsNotMet() {
		List<Target> targets = BenchRun.targets(List.of(storing("relay", 9_000, keptUp(200, 2))));

		assertThat(find(targets, "relay p99 publish→ACK at 1,000 readings/s"))
			.extracting(Target::reached, Target::met)
			.containsExactly("not run (no such rate in --rates)", false);
	}

	@Test
	void wantsEightyFivePercentOfTheEchosThroughput() {
		assertThat(find(BenchRun.targets(List.of(raw(10_000), storing("relay", 8_500))), "relay ACKed/s vs raw").met())
			.isTrue();
		assertThat(find(BenchRun.targets(List.of(raw(10_000), storing("relay", 8_400))), "relay ACKed/s vs raw"))
			.extracting(Target::reached, Target::met)
			.containsExactly("84 %", false);
	}

	@Test
	void wantsOneRowPerReadingAfterEveryPhase() {
		ResponderResult relay = SampleResults.oneRowShortAt(
				storing("relay", 9_000, keptUp(100, 2), keptUp(1_000, 3), keptUp(5_000, 4)), 1_000);

		assertThat(find(BenchRun.targets(List.of(relay)), "`relay`: one row per reading in every phase, none twice"))
			.extracting(Target::reached, Target::met)
			.containsExactly("after 1,000/s: 35,999 rows of 36,000 readings", false);
	}

	@Test
	void wantsConnectorJWithinTenPercentOfTheFirstDriver() {
		List<Target> targets = BenchRun.targets(
				List.of(storing("relay (jdbc:mariadb)", 9_000), storing("relay (jdbc:mysql)", 8_000)));

		assertThat(find(targets, "`relay (jdbc:mysql)` ACKed/s vs `relay (jdbc:mariadb)`"))
			.extracting(Target::reached, Target::met)
			.containsExactly("89 %", false);
	}

	private static List<org.assertj.core.groups.Tuple> met(List<Target> targets) {
		List<org.assertj.core.groups.Tuple> met = new ArrayList<>();
		for (Target target : targets) {
			met.add(tuple(target.name(), target.met()));
		}
		return met;
	}

	private static Target find(List<Target> targets, String name) {
		return targets.stream()
			.filter((target) -> target.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No target '" + name + "' in " + targets));
	}

}
