package io.decibel.relay.storage;

import org.springframework.data.jpa.repository.JpaRepository;

public interface QuarantineRepository extends JpaRepository<QuarantinedPayload, Long> {
}
