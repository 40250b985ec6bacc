package io.decibel.publisher.calibration;

import org.jspecify.annotations.Nullable;

/**
 * The calibration the device's levels carry.
 *
 * @param offset dB added to levels re full scale to make them dB SPL; {@code null}: uncalibrated, levels re full
 * scale
 * @param origin where it comes from, for the log: the configuration, the stored calibration, or none
 */
public record DeviceCalibration(@Nullable Double offset, String origin) {

}
