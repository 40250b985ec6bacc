package io.decibel.testsupport;

/**
 * Rows of consecutive numbers for bulk inserts of test data ({@code insert … select … from <range> numbers}), in SQL
 * that MySQL and MariaDB both take: MariaDB's {@code seq_0_to_N} tables are its Sequence engine's, which MySQL lacks,
 * and a recursive query stops at MySQL's {@code cte_max_recursion_depth} (1,000).
 */
public final class SqlNumbers {

	private static final String DIGITS = "(select 0 as d union all select 1 union all select 2 union all select 3"
			+ " union all select 4 union all select 5 union all select 6 union all select 7 union all select 8"
			+ " union all select 9)";

	private SqlNumbers() {
	}

	/** A derived table of one column {@code seq}, {@code first} to {@code last} included (alias it). */
	public static String range(long first, long last) {
		long count = last - first + 1;
		StringBuilder value = new StringBuilder();
		StringBuilder tables = new StringBuilder();
		long weight = 1;
		for (int digit = 0; weight < count || digit == 0; digit++, weight *= 10) {
			value.append((digit == 0) ? "" : " + ").append("d").append(digit).append(".d * ").append(weight);
			tables.append((digit == 0) ? "" : " cross join ").append(DIGITS).append(" d").append(digit);
		}
		return "(select " + first + " + " + value + " as seq from " + tables + " where " + value + " < " + count + ")";
	}

}
