package dev.mapsync.cli.chaos;

import dev.mapsync.MapLocation;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMaps;
import dev.mapsync.SharedRing;
import dev.mapsync.cli.chaos.Ledger.Entry;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.asm.RingEmitter;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The coordinator's side of the maps: it makes them, checks them while the workers run (threads: the ledger's audit,
 * a reader of the records, a reader of the hash map, the queue's consumer, the lead barrier party), remembers what
 * each killed worker had in flight, and checks everything again while the workers are paused. The invariants are
 * described by {@link Journals}, {@link RecordCheck}, {@link HashCheck}, {@link FeedConsumer} and {@link Arrivals}.
 */
final class Checks implements AutoCloseable {
    private final Setup setup;
    private final Control control;
    private final Findings findings;
    private final SharedArray<Entry> ledger;
    private final SharedArray<Stamp> records;
    private final SharedHashMap<Long, Cell> hash;
    private final SharedRing ring;
    private final SharedBarrier barrier;
    private final RecordCheck recordCheck;
    private final HashCheck hashCheck;
    private final FeedConsumer feed;
    private final LeadParty lead;
    private final List<Observer> observers = new ArrayList<>();

    /** Intents (entry, version) that killed record writers left: versions that may stand unacknowledged. */
    private final Set<Long> unacknowledgedRecords = new HashSet<>();
    /** Queue numbers (producer, seq) that killed producers had in flight: they may never arrive. */
    private final Set<Long> queueInDoubt = new HashSet<>();
    private int producerKills;

    final AtomicLong audits = new AtomicLong(), resolved = new AtomicLong(), tornRepaired = new AtomicLong(),
            recordReads = new AtomicLong(), hashReads = new AtomicLong(), iterations = new AtomicLong();

    private Checks(Setup setup, Control control, Findings findings, long seed) {
        this.setup = setup;
        this.control = control;
        this.findings = findings;
        this.ledger = SharedArray.create(Ledger.spec(setup));
        for (int a = 0; a < Ledger.ACCOUNTS; a++) ledger.set(a, Entry.account(Ledger.START_BALANCE, 0));
        for (int w = 0; w < setup.processes(); w++) ledger.set(Ledger.journal(w), Entry.journal(Ledger.IDLE, 0));
        this.records = SharedArray.create(Stamp.spec(setup));
        for (int e = 0; e < Stamp.ENTRIES; e++) records.set(e, Stamp.of(e, 0));
        this.hash = SharedHashMap.create(Cell.spec(setup));
        this.ring = SharedRing.create(Feed.spec(setup));
        if (setup.backend() == Backend.BPF) {
            try (RingEmitter emitter = RingEmitter.load(Bpffs.defaultPin(setup.name("queue")))) {
                emitter.pin(Feed.emitterPin(setup));
            }
        }
        this.barrier = SharedBarrier.create(Arrivals.spec(setup));
        this.recordCheck = new RecordCheck(records, control, setup);
        this.hashCheck = new HashCheck(hash, control, setup, seed);
        this.feed = new FeedConsumer(ring, setup.processes());
        this.lead = new LeadParty(control, setup, barrier);
    }

    /** The names of the soak's maps (the control map's too). */
    static List<String> mapNames(Setup setup) {
        return List.of(Control.spec(setup).name(), Ledger.spec(setup).name(), Stamp.spec(setup).name(),
                Cell.spec(setup).name(), Feed.spec(setup).name(), Arrivals.spec(setup).name());
    }

    /** Makes the soak's maps (in {@code setup}'s folder), ready for the workers; none is left if one cannot be made. */
    static Checks create(Setup setup, Control control, Findings findings, long seed) {
        try {
            return new Checks(setup, control, findings, seed);
        } catch (RuntimeException | Error e) {
            // the handles made so far are left to the cleaner; the kernel maps and pins must not outlive the soak
            for (MapLocation spec : specs(setup)) {
                try {
                    SharedMaps.delete(spec);
                } catch (RuntimeException ignored) {
                    // not made yet
                }
            }
            deleteProgramPin(setup);
            throw e;
        }
    }

    /** Starts the threads that check while the workers run. */
    void startObservers() {
        observers.add(new Observer("ledger audit", () -> {
            LedgerAudit.Result r = LedgerAudit.audit(ledger, setup.processes());
            findings.violations(r.violations());
            audits.incrementAndGet();
            resolved.addAndGet(r.resolved());
            tornRepaired.addAndGet(r.tornRepaired());
        }, 20_000_000, true, control, findings));
        observers.add(new Observer("record reader", () -> {
            List<String> v = new ArrayList<>();
            recordReads.addAndGet(recordCheck.readPass(v));
            findings.violations(v);
        }, 2_000_000, true, control, findings));
        observers.add(new Observer("hash reader", () -> {
            List<String> v = new ArrayList<>();
            hashCheck.readSample(64, v);
            hashReads.addAndGet(64);
            if (hashReads.get() % (64 * 16) == 0) {
                hashCheck.iterate(v);
                iterations.incrementAndGet();
            }
            findings.violations(v);
        }, 2_000_000, true, control, findings));
        observers.add(new Observer("queue consumer", () -> feed.takeOne(Duration.ofMillis(100)), 0, false, control,
                findings));
        observers.add(new Observer("lead party", lead::step, 0, false, control, findings));
        observers.forEach(Observer::start);
    }

    /** The observers that have not paused for {@code state} yet (the ones that pause). */
    List<String> notPaused(long state) {
        List<String> busy = new ArrayList<>();
        for (Observer o : observers) if (!o.pausedAt(state)) busy.add(o.name());
        if (!lead.pausedAt(state)) busy.add("lead party");
        return busy;
    }

    /** Called right before worker process {@code pid} of {@code slot} is killed. */
    void killing(int slot, long pid, KillWay way) {
        if (Kind.ofSlot(slot, setup.processes()) == Kind.PARTY) lead.partyKilled(pid, way != KillWay.WAITING);
    }

    /** Called once a killed worker is gone: remembers what it had in flight. */
    void killed(int slot) {
        Kind kind = Kind.ofSlot(slot, setup.processes());
        long intent = control.slot(slot, Control.INTENT);
        if (kind == Kind.RECORD && intent != 0) unacknowledgedRecords.add(intent);
        if (kind == Kind.PRODUCER) {
            producerKills++;
            if (intent > control.slot(slot, Control.ACK)) {
                queueInDoubt.add(FeedConsumer.key(slot - Kind.PRODUCER.firstSlot(setup.processes()), intent));
            }
        }
    }

    /** Everything checked while every worker and observer is paused; adds what is wrong to the findings. */
    void pausedChecks() {
        LedgerAudit.Result ledgerResult = LedgerAudit.audit(ledger, setup.processes());
        findings.violations(ledgerResult.violations());
        resolved.addAndGet(ledgerResult.resolved());
        tornRepaired.addAndGet(ledgerResult.tornRepaired());
        findings.violations(recordCheck.pausedCheck(unacknowledgedRecords));
        findings.violations(hashCheck.pausedCheck());
        queueCheck();
        findings.violations(feed.takeViolations());
        findings.violations(lead.takeViolations());
    }

    /**
     * With the producers paused, every acknowledged record must arrive (the consumer gets 30 s); then every number
     * that never arrived must be one a killed producer had in flight, none may arrive that was never sent, and the
     * records the ring counts lost ({@code RingStatus.lostRecords}) are at most one per producer kill, each of them a
     * number that never arrived.
     */
    private void queueCheck() {
        int first = Kind.PRODUCER.firstSlot(setup.processes());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int p = 0; p < setup.processes(); p++) {
            long acked = control.slot(first + p, Control.ACK);
            while (feed.lastReceived(p) < acked && System.nanoTime() - deadline < 0) LockSupport.parkNanos(1_000_000);
            if (feed.lastReceived(p) < acked) {
                findings.violation("queue: producer " + p + "'s records up to " + acked + " were acknowledged, but the"
                        + " consumer got only up to " + feed.lastReceived(p) + " in 30 s");
            }
            long sent = Math.max(acked, control.slot(first + p, Control.INTENT));
            if (feed.lastReceived(p) > sent) {
                findings.violation("queue: producer " + p + "'s record " + feed.lastReceived(p) + " arrived, but it sent"
                        + " only up to " + sent);
            }
        }
        for (long k : feed.unexplainedSkips(queueInDoubt)) {
            findings.violation("queue: producer " + (k >>> 40) + "'s record " + (k & ((1L << 40) - 1))
                    + " never arrived, and no killed producer had it in flight");
        }
        long lost = ring.status().lostRecords();
        // the consumer publishes its own count when the call that skipped a record ends: give a call in progress time
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (lost != feed.lost() && System.nanoTime() - settle < 0) {
            LockSupport.parkNanos(1_000_000);
            lost = ring.status().lostRecords();
        }
        if (lost != feed.lost()) {
            findings.violation("queue: the ring counts " + lost + " records lost, its one consumer " + feed.lost());
        }
        if (lost > producerKills) {
            findings.violation("queue: " + lost + " records lost to dead producers, but only " + producerKills
                    + " producers were killed");
        }
        if (lost > feed.skippedCount()) {
            findings.violation("queue: " + lost + " records lost to dead producers, but only " + feed.skippedCount()
                    + " numbers never arrived");
        }
    }

    long received() {
        return feed.received();
    }

    long lost() {
        return ring.status().lostRecords();
    }

    int skipped() {
        return feed.skippedCount();
    }

    LeadParty lead() {
        return lead;
    }

    /** Stops the observers (at most 10 s each); the names of those that did not stop. */
    List<String> stopObservers() {
        List<String> stuck = new ArrayList<>();
        for (Observer o : observers) if (!o.stop(10_000)) stuck.add(o.name());
        return stuck;
    }

    /** Closes the handles and deletes the soak's maps (and the bpf program pin). */
    @Override
    public void close() {
        feed.close();
        for (AutoCloseable c : List.<AutoCloseable>of(barrier, ring, hash, records, ledger)) {
            try {
                c.close();
            } catch (Exception e) {
                findings.violation("closing a map: " + e);
            }
        }
        for (MapLocation spec : specs(setup)) deleteQuietly(spec);
        if (!deleteProgramPin(setup)) findings.violation("cannot remove the queue's program pin " + Feed.emitterPin(setup));
    }

    /** What deletes each of the soak's maps but the control map (the barrier lives in shared memory only). */
    private static List<MapLocation> specs(Setup setup) {
        List<MapLocation> specs = new ArrayList<>();
        specs.add(MapSpec.existing(setup.name("barrier")).dir(setup.dir()));
        for (String map : List.of("queue", "hash", "records", "ledger")) {
            specs.add(MapSpec.existing(setup.name(map)).dir(setup.dir()).backend(setup.backend()));
        }
        return specs;
    }

    /** Removes the bpf queue's program pin, if there is one; false if it cannot. */
    private static boolean deleteProgramPin(Setup setup) {
        if (setup.backend() != Backend.BPF) return true;
        try {
            Files.deleteIfExists(Feed.emitterPin(setup));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void deleteQuietly(MapLocation spec) {
        try {
            SharedMaps.delete(spec);
        } catch (RuntimeException e) {
            findings.violation("deleting map " + spec.name() + ": " + e.getMessage());
        }
    }
}
