package io.decibel.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import io.decibel.bench.BenchResults.Percentiles;
import io.decibel.bench.BenchResults.RatePhase;
import io.decibel.bench.BenchResults.ResponderResult;
import io.decibel.bench.BenchResults.StartupResult;
import io.decibel.bench.BenchResults.Target;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.labels.StandardXYItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The run's results as a markdown table, a JSON file and a PNG chart. */
final class Report {

	private static final Color[] COLORS = { new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868),
			new Color(0xC44E52) };

	private static final Color BACKGROUND = new Color(0xF7F7F7);

	private static final Color GRID = new Color(0xBBBBBB);

	private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);

	// the log axis's floor: a p99 below it is drawn on it
	private static final double SMALLEST_MS = 0.1;

	private Report() {
	}

	static String markdown(BenchResults results) {
		StringBuilder md = new StringBuilder();
		BenchResults.Settings o = results.options();
		md.append("| responder | ACKed/s | rows/s | CPU s | peak RSS MB |\n");
		md.append("|---|---:|---:|---:|---:|\n");
		for (ResponderResult r : results.responders()) {
			md.append("| `")
				.append(r.responder())
				.append("` | ")
				.append(whole(r.ackedPerSecond()))
				.append(r.acked() < r.published() ? " (" + r.acked() + "/" + r.published() + " ACKed)" : "")
				.append(" | ")
				.append((r.rowsPerSecond() != null) ? whole(r.rowsPerSecond()) : "–")
				.append((Boolean.FALSE.equals(r.rowsOk())) ? " (rows ≠ readings!)" : "")
				.append(" | ")
				.append(String.format(Locale.ROOT, "%.1f", r.cpuSeconds()))
				.append(" | ")
				.append(whole(r.peakRssMiB()))
				.append(" |\n");
		}
		md.append("\nThroughput: ")
			.append(String.format(Locale.ROOT, "%,d", o.count()))
			.append(" readings as fast as the in-flight windows allow (")
			.append(o.devices())
			.append(" devices on ")
			.append(o.connections())
			.append(" connections, at most ")
			.append(String.format(Locale.ROOT, "%,d", o.outstanding()))
			.append(" readings awaiting their ACK, broker Receive Maximum ")
			.append(o.brokerReceiveMaximum())
			.append(", after ")
			.append(String.format(Locale.ROOT, "%,d", o.warmup()))
			.append(" warm-up readings); CPU s: the responder's for those readings; peak RSS: VmHWM of the")
			.append(" responder's process at the end of its run.\n\n");
		md.append("| responder | offered/s | ACKed/s | p50 ms | p90 ms | p99 ms | p99.9 ms | CPU s |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (ResponderResult r : results.responders()) {
			for (RatePhase phase : r.latency()) {
				Percentiles p = phase.latencyMs();
				md.append("| `")
					.append(r.responder())
					.append("` | ")
					.append(whole(phase.rate()))
					.append(" | ")
					.append(whole(phase.ackedPerSecond()))
					.append(phase.saturated() ? " **saturated**" : "")
					.append(phase.published() < phase.due()
							? String.format(Locale.ROOT, " (%,d of %,d published)", phase.published(), phase.due())
							: "")
					.append(phase.acked() < phase.published()
							? String.format(Locale.ROOT, " (%,d/%,d ACKed)", phase.acked(), phase.published()) : "")
					.append((phase.rows() != null && !phase.rows().ok()) ? " (rows ≠ readings!)" : "");
				// a saturated phase's latencies are its queue's, which grows as long as the phase lasts
				for (double value : new double[] { p.p50(), p.p90(), p.p99(), p.p999() }) {
					md.append(" | ").append(phase.saturated() ? "–" : ms(value));
				}
				md.append(" | ").append(String.format(Locale.ROOT, "%.1f", phase.cpuSeconds())).append(" |\n");
			}
		}
		md.append("\nLatency: publish→ACK, from when each reading was due, at each offered rate for ")
			.append(o.durationSeconds())
			.append(" s. **saturated**: the responder ACKed less than ")
			.append(String.format(Locale.ROOT, "%.0f", 100 * LoadGenerator.PhaseResult.KEPT_UP))
			.append(" % of the offered rate, or readings were still unpublished ")
			.append(o.drainSeconds())
			.append(" s after the phase's end; its latencies are then those of the queue it let grow, not its own,")
			.append(" and are left out (results.json has them).\n");
		againstTheEcho(md, results);
		burst(md, results);
		allocation(md, results);
		if (!results.startup().isEmpty()) {
			md.append("\n| service | start (launch → Started line) s | Spring Boot's \"Started … in\" s | JVM running s | RSS after start MB |\n");
			md.append("|---|---:|---:|---:|---:|\n");
			for (StartupResult s : results.startup()) {
				md.append("| `")
					.append(s.service())
					.append("` | ")
					.append(String.format(Locale.ROOT, "%.2f", s.secondsToStarted()))
					.append(" | ")
					.append(String.format(Locale.ROOT, "%.2f", s.jvmReportedSeconds()))
					.append(" | ")
					.append(String.format(Locale.ROOT, "%.2f", s.processRunningSeconds()))
					.append(" | ")
					.append(whole(s.rssMiB()))
					.append(" |\n");
			}
		}
		if (!results.targets().isEmpty()) {
			md.append("\n| target | goal | reached | met |\n|---|---|---|---|\n");
			for (Target t : results.targets()) {
				md.append("| ")
					.append(t.name())
					.append(" | ")
					.append(t.goal())
					.append(" | ")
					.append(t.reached())
					.append(" | ")
					.append(t.met() ? "yes" : "**no**")
					.append(" |\n");
			}
		}
		return md.toString();
	}

	/**
	 * Each relay's latency beside the echo's in the same run, per rate: what the relay adds to a responder that does
	 * nothing but answer.
	 */
	private static void againstTheEcho(StringBuilder md, BenchResults results) {
		ResponderResult raw = results.responders().stream().filter((r) -> r.responder().equals("raw")).findFirst()
			.orElse(null);
		if (raw == null) {
			return;
		}
		StringBuilder rows = new StringBuilder();
		for (ResponderResult r : results.responders()) {
			if (r == raw || r.responder().equals("naive")) {
				continue;
			}
			for (RatePhase phase : r.latency()) {
				RatePhase echo = raw.at(phase.rate());
				if (echo == null) {
					continue;
				}
				Percentiles e = echo.latencyMs();
				Percentiles p = phase.latencyMs();
				boolean either = phase.saturated() || echo.saturated();
				rows.append("| `").append(r.responder()).append("` | ").append(whole(phase.rate()));
				for (double value : new double[] { e.p50(), e.p99(), e.p999() }) {
					rows.append(" | ").append(echo.saturated() ? "–" : ms(value));
				}
				for (double value : new double[] { p.p50(), p.p99(), p.p999() }) {
					rows.append(" | ").append(phase.saturated() ? "–" : ms(value));
				}
				rows.append(" | ").append(either ? "saturated" : signed(p.p50() - e.p50()));
				rows.append(" | ").append(either ? "saturated" : signed(p.p99() - e.p99()));
				rows.append(" |\n");
			}
		}
		if (rows.isEmpty()) {
			return;
		}
		md.append("\n| responder | offered/s | echo p50 ms | echo p99 ms | echo p99.9 ms | p50 ms | p99 ms | p99.9 ms |")
			.append(" p50 − echo's ms | p99 − echo's ms |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		md.append(rows);
		md.append("\nAgainst the echo: the same latency phases, `raw` (a plain Paho client that answers each reading as")
			.append(" it arrives) beside each responder of the same run; the differences are what the responder adds")
			.append(" to the broker's and the machine's own.\n");
	}

	private static void burst(StringBuilder md, BenchResults results) {
		List<ResponderResult> bursts = results.responders().stream().filter((r) -> r.burst() != null).toList();
		if (bursts.isEmpty()) {
			return;
		}
		double echo = results.responders().stream()
			.filter((r) -> r.responder().equals("raw") && r.burst() != null)
			.mapToDouble((r) -> r.burst().ackedPerSecond())
			.findFirst()
			.orElse(Double.NaN);
		md.append("\n| responder | burst ACKed/s | of the echo's | ACKed | repeated ACKs | renewals | turned away |")
			.append(" beyond the window | p50 / p99 ms | CPU s |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (ResponderResult r : bursts) {
			BenchResults.BurstPhase b = r.burst();
			BenchResults.RelayCounters c = b.relay();
			md.append("| `").append(r.responder()).append("` | ").append(whole(b.ackedPerSecond()))
				.append(" | ").append(Double.isNaN(echo) ? "–"
						: String.format(Locale.ROOT, "%.0f %%", 100 * b.ackedPerSecond() / echo))
				.append(" | ").append(String.format(Locale.ROOT, "%,d/%,d", b.acked(), b.published()))
				.append((b.rows() != null && !b.rows().ok()) ? " (rows ≠ readings!)" : "")
				.append(" | ").append(String.format(Locale.ROOT, "%,d", b.duplicateAcks()))
				.append(" | ").append((c != null) ? String.format(Locale.ROOT, "%,d", c.renewals()) : "–")
				.append(" | ").append((c != null) ? String.format(Locale.ROOT, "%,d", c.turnedAway()) : "–")
				.append(" | ").append((c != null) ? String.format(Locale.ROOT, "%,d", c.beyondWindow()) : "–")
				.append(" | ").append(ms(b.latencyMs().p50())).append(" / ").append(ms(b.latencyMs().p99()))
				.append(" | ").append(String.format(Locale.ROOT, "%.1f", b.cpuSeconds()))
				.append(" |\n");
		}
		md.append("\nBurst: ")
			.append(String.format(Locale.ROOT, "%,d", results.options().burst()))
			.append(" readings published at once, as fast as the broker takes them, by devices that never send one")
			.append(" again (the broker holds the backlog, as after an outage); ACKed/s from the first publish to the")
			.append(" last ACK. Repeated ACKs: readings the broker sent again. Renewals, turned away, beyond the window:")
			.append(" the relay's counters over the phase (`/actuator/prometheus`).\n");
	}

	private static void allocation(StringBuilder md, BenchResults results) {
		for (ResponderResult r : results.responders()) {
			if (r.allocatedKiBPerReading() != null) {
				md.append(String.format(Locale.ROOT,
						"%n`%s`: %.1f KiB allocated a reading answered (flight recording, jdk.ObjectAllocationSample,"
								+ " once the load began); peak RSS %s MB.%n",
						r.responder(), r.allocatedKiBPerReading(), whole(r.peakRssMiB())));
			}
		}
	}

	static void write(BenchResults results, Path folder) throws IOException {
		Files.createDirectories(folder);
		Files.writeString(folder.resolve("results.md"), markdown(results));
		JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
		Files.writeString(folder.resolve("results.json"), json.writeValueAsString(results) + "\n");
		ImageIO.write(chart(results), "png", folder.resolve("chart.png").toFile());
	}

	/** Throughput bars on the left, p99 latency against the offered load (both log scale) on the right. */
	static BufferedImage chart(BenchResults results) {
		DefaultCategoryDataset throughput = new DefaultCategoryDataset();
		for (ResponderResult r : results.responders()) {
			throughput.addValue(r.ackedPerSecond(), "ACKed/s", r.responder());
			if (r.rowsPerSecond() != null) {
				throughput.addValue(r.rowsPerSecond(), "rows/s", r.responder());
			}
			if (r.burst() != null) {
				throughput.addValue(r.burst().ackedPerSecond(), "burst ACKed/s", r.responder());
			}
		}
		BenchResults.Settings o = results.options();
		JFreeChart bars = ChartFactory.createBarChart(
				String.format(Locale.ROOT, "Throughput, %,d readings (%d devices, QoS 1)", o.count(), o.devices()),
				"responder", "readings / s", throughput, PlotOrientation.VERTICAL, true, false, false);
		CategoryPlot barPlot = bars.getCategoryPlot();
		BarRenderer barRenderer = (BarRenderer) barPlot.getRenderer();
		barRenderer.setBarPainter(new StandardBarPainter());
		barRenderer.setShadowVisible(false);
		barRenderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
				NumberFormat.getIntegerInstance(Locale.ROOT)));
		barRenderer.setDefaultItemLabelsVisible(true);
		barRenderer.setSeriesPaint(0, COLORS[0]);
		barRenderer.setSeriesPaint(1, COLORS[1]);
		barRenderer.setSeriesPaint(2, COLORS[2]);
		((NumberAxis) barPlot.getRangeAxis()).setUpperMargin(0.15);
		// "relay (jdbc:mariadb)" beside three others
		barPlot.getDomainAxis().setMaximumCategoryLabelLines(2);
		style(bars);

		JFreeChart lines = p99AgainstLoad(results);
		int width = 1400;
		int height = 560;
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, width, height);
		bars.draw(g, new Rectangle2D.Double(0, 0, width / 2.0, height));
		lines.draw(g, new Rectangle2D.Double(width / 2.0, 0, width / 2.0, height));
		g.dispose();
		return image;
	}

	/** One line per responder; a phase it could not keep up with has no p99 of its own and is left out. */
	static JFreeChart p99AgainstLoad(BenchResults results) {
		XYSeriesCollection p99 = new XYSeriesCollection();
		for (ResponderResult r : results.responders()) {
			List<String> saturated = new ArrayList<>();
			XYSeries series = new XYSeries(r.responder());
			for (RatePhase phase : r.latency()) {
				if (phase.saturated()) {
					saturated.add(whole(phase.rate()));
				}
				else if (!Double.isNaN(phase.latencyMs().p99())) {
					series.add(phase.rate(), Math.max(phase.latencyMs().p99(), SMALLEST_MS));
				}
			}
			if (!saturated.isEmpty()) {
				series.setKey(r.responder() + " (saturated at " + String.join(", ", saturated) + "/s)");
			}
			p99.addSeries(series);
		}
		JFreeChart chart = ChartFactory.createXYLineChart("p99 publish → ACK against offered load",
				"offered readings / s (log scale)", "p99 ms (log scale)", p99, PlotOrientation.VERTICAL, true, false,
				false);
		XYPlot plot = chart.getXYPlot();
		IntSummaryStatistics rates = results.options().rates().stream().mapToInt(Integer::intValue).summaryStatistics();
		plot.setDomainAxis(logAxis("offered readings / s (log scale)", rates.getMin() / 2.0, rates.getMax() * 2.5,
				NumberFormat.getIntegerInstance(Locale.ROOT)));
		// whole decades: at least two labelled ticks, however close the p99s are
		DoubleSummaryStatistics drawn = new DoubleSummaryStatistics();
		for (int s = 0; s < p99.getSeriesCount(); s++) {
			for (int i = 0; i < p99.getItemCount(s); i++) {
				drawn.accept(p99.getYValue(s, i));
			}
		}
		double lower = Math.pow(10, Math.floor(Math.log10((drawn.getCount() > 0) ? drawn.getMin() / 1.25 : 1)));
		double upper = Math.pow(10, Math.ceil(Math.log10((drawn.getCount() > 0) ? drawn.getMax() * 1.5 : 10)));
		plot.setRangeAxis(logAxis("p99 ms (log scale)", Math.max(lower, SMALLEST_MS), Math.max(upper, lower * 10),
				new DecimalFormat("#,##0.#", DecimalFormatSymbols.getInstance(Locale.ROOT))));
		XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
		renderer.setDefaultItemLabelGenerator(new StandardXYItemLabelGenerator("{2}",
				NumberFormat.getIntegerInstance(Locale.ROOT),
				new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))));
		renderer.setDefaultItemLabelsVisible(true);
		for (int s = 0; s < p99.getSeriesCount(); s++) {
			renderer.setSeriesPaint(s, COLORS[s % COLORS.length]);
			renderer.setSeriesStroke(s, new BasicStroke(2.5f));
		}
		plot.setRenderer(renderer);
		plot.setBackgroundPaint(BACKGROUND);
		plot.setRangeGridlinePaint(GRID);
		plot.setDomainGridlinePaint(GRID);
		chart.setBackgroundPaint(Color.WHITE);
		chart.getTitle().setFont(TITLE);
		chart.addSubtitle(new TextTitle(String.format(Locale.ROOT,
				"each rate for %d s, latency from when each reading was due; saturated phases not drawn",
				results.options().durationSeconds())));
		return chart;
	}

	/** A log axis with a labelled tick at each power of ten and minor ticks between them. */
	private static LogAxis logAxis(String label, double lower, double upper, NumberFormat format) {
		LogAxis axis = new LogAxis(label);
		axis.setSmallestValue(SMALLEST_MS);
		axis.setAutoTickUnitSelection(false);
		axis.setTickUnit(new NumberTickUnit(1), false, false);
		axis.setMinorTickCount(9);
		axis.setMinorTickMarksVisible(true);
		axis.setNumberFormatOverride(format);
		axis.setRange(lower, upper);
		return axis;
	}

	private static void style(JFreeChart chart) {
		chart.setBackgroundPaint(Color.WHITE);
		chart.getTitle().setFont(TITLE);
		CategoryPlot plot = chart.getCategoryPlot();
		plot.setBackgroundPaint(BACKGROUND);
		plot.setRangeGridlinePaint(GRID);
	}

	private static String whole(double value) {
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	private static String signed(double value) {
		return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%+.2f", value);
	}

	private static String ms(double value) {
		return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f", value);
	}

}
