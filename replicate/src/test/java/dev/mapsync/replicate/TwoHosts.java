package dev.mapsync.replicate;

import dev.mapsync.testkit.Machine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two hosts on one machine: two network namespaces joined by a veth pair, each end with its own address, and
 * packet loss on the link, in both directions: the kernel's {@code netem} where it has one, else a random drop of
 * incoming packets by the firewall ({@code iptables -m statistic}), which loses packets the same way. Made as root,
 * removed on close; the test skips, saying why, where it cannot be made.
 */
final class TwoHosts implements AutoCloseable {
    final String leaderNs, followerNs, leaderAddress, followerAddress;
    /** How the link loses packets, for the test's report. */
    final String loss;
    private final String leaderLink, followerLink;

    private TwoHosts(String tag, int lossPercent) {
        leaderNs = "msl" + tag;
        followerNs = "msf" + tag;
        leaderLink = "mvl" + tag;
        followerLink = "mvf" + tag;
        int net = ThreadLocalRandom.current().nextInt(16, 250);
        leaderAddress = "10.231." + net + ".1";
        followerAddress = "10.231." + net + ".2";
        run("ip", "netns", "add", leaderNs);
        run("ip", "netns", "add", followerNs);
        run("ip", "link", "add", leaderLink, "type", "veth", "peer", "name", followerLink);
        run("ip", "link", "set", leaderLink, "netns", leaderNs);
        run("ip", "link", "set", followerLink, "netns", followerNs);
        run("ip", "-n", leaderNs, "addr", "add", leaderAddress + "/24", "dev", leaderLink);
        run("ip", "-n", followerNs, "addr", "add", followerAddress + "/24", "dev", followerLink);
        for (String[] end : new String[][]{{leaderNs, leaderLink}, {followerNs, followerLink}}) {
            run("ip", "-n", end[0], "link", "set", "lo", "up");
            run("ip", "-n", end[0], "link", "set", end[1], "up");
        }
        if (tryRun("ip", "netns", "exec", leaderNs, "tc", "qdisc", "add", "dev", leaderLink, "root", "netem", "loss",
                lossPercent + "%", "delay", "1ms") == 0) {
            run("ip", "netns", "exec", followerNs, "tc", "qdisc", "add", "dev", followerLink, "root", "netem", "loss",
                    lossPercent + "%", "delay", "1ms");
            loss = "netem: " + lossPercent + "% loss, 1 ms delay each way";
        } else {
            if (tryRun("iptables", "--version") != 0) {
                throw new IllegalStateException("this kernel has no netem and iptables is not installed (apt-get install"
                        + " iptables), so the link cannot lose packets");
            }
            for (String ns : List.of(leaderNs, followerNs)) {
                run("ip", "netns", "exec", ns, "iptables", "-A", "INPUT", "-p", "udp", "-m", "statistic", "--mode",
                        "random", "--probability", Double.toString(lossPercent / 100.0), "-j", "DROP");
            }
            loss = "iptables statistic: " + lossPercent + "% of UDP packets dropped each way (this kernel has no netem)";
        }
    }

    /** Makes the two hosts, or skips the test saying what is missing. */
    static TwoHosts make(int lossPercent) {
        Machine.requireRoot("network namespaces and veth pairs are made by root");
        Machine.requireProgram("ip", "iproute2");
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        try {
            return new TwoHosts(tag, lossPercent);
        } catch (IllegalStateException e) {
            for (String ns : List.of("msl" + tag, "msf" + tag)) tryRun("ip", "netns", "del", ns);
            Machine.skip("two network namespaces", e.getMessage());
            return null;
        }
    }

    /** The command prefix that runs a program on the leader's host. */
    List<String> onLeader() {
        return List.of("ip", "netns", "exec", leaderNs);
    }

    List<String> onFollower() {
        return List.of("ip", "netns", "exec", followerNs);
    }

    @Override
    public void close() {
        tryRun("ip", "netns", "del", leaderNs); // takes its end of the veth pair, and so the pair, with it
        tryRun("ip", "netns", "del", followerNs);
    }

    private static void run(String... command) {
        int exit = tryRun(command);
        if (exit != 0) throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
    }

    /** Runs a command to its end (at most 30 s); its exit code, or -1 if it could not be run. */
    private static int tryRun(String... command) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes(); // what it says goes nowhere; its exit code tells
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
