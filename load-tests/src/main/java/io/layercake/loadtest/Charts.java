package io.layercake.loadtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Renders the report's charts to PNG with JFreeChart, headless. */
final class Charts {

  private static final int WIDTH = 820;
  private static final int HEIGHT = 440;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /**
   * A latency CDF: for each system, the fraction of pulls (y) done within x milliseconds. Curves
   * further left are faster; a long tail shows as a curve that reaches 1.0 late.
   */
  static void cdf(Path file, String title, Map<String, double[]> millisBySystem) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    millisBySystem.forEach((system, millis) -> {
      double[] sorted = millis.clone();
      Arrays.sort(sorted);
      XYSeries series = new XYSeries(system);
      for (int i = 0; i < sorted.length; i++) {
        series.add(sorted[i], (i + 1) / (double) sorted.length);
      }
      data.addSeries(series);
    });
    JFreeChart chart = ChartFactory.createXYLineChart(title, "pull latency (ms)", "fraction of pulls",
        data, PlotOrientation.VERTICAL, true, false, false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2.0f));
    }
    chart.getXYPlot().setRenderer(renderer);
    style(chart);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  /** Bars of one measure per system, such as MB/s or upstream bytes. */
  static void bars(Path file, String title, String valueAxis, Map<String, Double> valueBySystem)
      throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    valueBySystem.forEach((system, value) -> data.addValue(value, valueAxis, system));
    JFreeChart chart = ChartFactory.createBarChart(title, null, valueAxis, data,
        PlotOrientation.VERTICAL, false, false, false);
    style(chart);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  /** Grouped bars: one group per measure, one bar per system in each. */
  static void groupedBars(Path file, String title, String valueAxis,
      Map<String, Map<String, Double>> valueBySystemByGroup) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    valueBySystemByGroup.forEach((group, bySystem) ->
        bySystem.forEach((system, value) -> data.addValue(value, system, group)));
    JFreeChart chart = ChartFactory.createBarChart(title, null, valueAxis, data,
        PlotOrientation.VERTICAL, true, false, false);
    style(chart);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  /** A span of the x axis to shade and label, such as a fault from its start to its undo. */
  record Span(double from, double to, String label) {}

  /**
   * Lines over time (x in seconds) with shaded, labelled spans: how a measure moved while faults
   * came and went.
   */
  static void timeline(Path file, String title, String valueAxis, Map<String, double[][]> pointsBySeries,
      List<Span> spans) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    pointsBySeries.forEach((name, points) -> {
      XYSeries series = new XYSeries(name);
      for (double[] point : points) {
        series.add(point[0], point[1]);
      }
      data.addSeries(series);
    });
    JFreeChart chart = ChartFactory.createXYLineChart(title, "seconds from the start of the load", valueAxis,
        data, PlotOrientation.VERTICAL, true, false, false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(1.6f));
      renderer.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
    }
    chart.getXYPlot().setRenderer(renderer);
    for (Span span : spans) {
      IntervalMarker marker = new IntervalMarker(span.from(), span.to(), new Color(0xff, 0x99, 0x33, 0x40));
      marker.setLabel(span.label());
      marker.setLabelFont(new java.awt.Font("SansSerif", java.awt.Font.PLAIN, 10));
      marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
      marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      chart.getXYPlot().addDomainMarker(marker, Layer.BACKGROUND);
    }
    style(chart);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH * 3 / 2, HEIGHT);
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getPlot().setBackgroundPaint(new Color(0xf7f7f7));
  }
}
