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
import java.util.Locale;

import javax.imageio.ImageIO;

import io.decibel.bench.BenchResults.Percentiles;
import io.decibel.bench.BenchResults.ResponderResult;
import io.decibel.bench.BenchResults.StartupResult;
import io.decibel.bench.BenchResults.Target;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The run's results as a markdown table, a JSON file and a PNG chart. */
final class Report {

	private static final Color[] COLORS = { new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868),
			new Color(0xC44E52) };

	private Report() {
	}

	static String markdown(BenchResults results) {
		StringBuilder md = new StringBuilder();
		md.append("| responder | ACKed/s | rows/s | p50 ms | p90 ms | p99 ms | p99.9 ms | CPU s | peak RSS MB |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (ResponderResult r : results.responders()) {
			Percentiles p = r.latencyMs();
			md.append("| `")
				.append(r.responder())
				.append("` | ")
				.append(whole(r.ackedPerSecond()))
				.append(r.acked() < r.published() ? " (" + r.acked() + "/" + r.published() + " ACKed)" : "")
				.append(" | ")
				.append((r.rowsPerSecond() != null) ? whole(r.rowsPerSecond()) : "–")
				.append((Boolean.FALSE.equals(r.rowsOk())) ? " (rows ≠ readings!)" : "")
				.append(" | ")
				.append(ms(p.p50()))
				.append(" | ")
				.append(ms(p.p90()))
				.append(" | ")
				.append(ms(p.p99()))
				.append(" | ")
				.append(ms(p.p999()))
				.append(" | ")
				.append(String.format(Locale.ROOT, "%.1f", r.cpuSeconds()))
				.append(" | ")
				.append(whole(r.peakRssMiB()))
				.append(" |\n");
		}
		BenchResults.Settings o = results.options();
		md.append("\nACKed/s, rows/s and CPU s: ")
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
			.append(" warm-up readings); latency: publish→ACK at ")
			.append(String.format(Locale.ROOT, "%,d", o.rate()))
			.append(" readings/s for ")
			.append(o.durationSeconds())
			.append(" s, from when each reading was due. Peak RSS: VmHWM of the responder's process.\n");
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

	static void write(BenchResults results, Path folder) throws IOException {
		Files.createDirectories(folder);
		Files.writeString(folder.resolve("results.md"), markdown(results));
		JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
		Files.writeString(folder.resolve("results.json"), json.writeValueAsString(results) + "\n");
		ImageIO.write(chart(results), "png", folder.resolve("chart.png").toFile());
	}

	/** Throughput bars on the left, latency percentiles (log scale) on the right. */
	static BufferedImage chart(BenchResults results) {
		DefaultCategoryDataset throughput = new DefaultCategoryDataset();
		DefaultCategoryDataset latency = new DefaultCategoryDataset();
		for (ResponderResult r : results.responders()) {
			throughput.addValue(r.ackedPerSecond(), "ACKed/s", r.responder());
			if (r.rowsPerSecond() != null) {
				throughput.addValue(r.rowsPerSecond(), "rows/s", r.responder());
			}
			Percentiles p = r.latencyMs();
			if (!Double.isNaN(p.p50())) {
				latency.addValue(p.p50(), r.responder(), "p50");
				latency.addValue(p.p90(), r.responder(), "p90");
				latency.addValue(p.p99(), r.responder(), "p99");
				latency.addValue(p.p999(), r.responder(), "p99.9");
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
				java.text.NumberFormat.getIntegerInstance(Locale.ROOT)));
		barRenderer.setDefaultItemLabelsVisible(true);
		barRenderer.setSeriesPaint(0, COLORS[0]);
		barRenderer.setSeriesPaint(1, COLORS[1]);
		((NumberAxis) barPlot.getRangeAxis()).setUpperMargin(0.15);
		style(bars);

		JFreeChart lines = ChartFactory.createLineChart(
				String.format(Locale.ROOT, "Publish → ACK latency at %,d readings/s", o.rate()), "percentile",
				"ms (log scale)", latency, PlotOrientation.VERTICAL, true, false, false);
		CategoryPlot linePlot = lines.getCategoryPlot();
		LogAxis log = new LogAxis("ms (log scale)");
		log.setSmallestValue(0.1);
		log.setNumberFormatOverride(new java.text.DecimalFormat("0.#", 
				java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
		linePlot.setRangeAxis(log);
		LineAndShapeRenderer lineRenderer = (LineAndShapeRenderer) linePlot.getRenderer();
		lineRenderer.setDefaultShapesVisible(true);
		lineRenderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
				new java.text.DecimalFormat("0.0", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT))));
		lineRenderer.setDefaultItemLabelsVisible(true);
		for (int s = 0; s < latency.getRowCount(); s++) {
			lineRenderer.setSeriesPaint(s, COLORS[(s + 2) % COLORS.length]);
			lineRenderer.setSeriesStroke(s, new BasicStroke(2.5f));
		}
		style(lines);

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

	private static void style(JFreeChart chart) {
		chart.setBackgroundPaint(Color.WHITE);
		chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
		CategoryPlot plot = chart.getCategoryPlot();
		plot.setBackgroundPaint(new Color(0xF7F7F7));
		plot.setRangeGridlinePaint(new Color(0xBBBBBB));
	}

	private static String whole(double value) {
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	private static String ms(double value) {
		return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f", value);
	}

}
