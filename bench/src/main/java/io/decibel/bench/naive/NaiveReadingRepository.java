package io.decibel.bench.naive;

import org.springframework.data.jpa.repository.JpaRepository;

interface NaiveReadingRepository extends JpaRepository<NaiveReading, NaiveReading.Key> {
}
