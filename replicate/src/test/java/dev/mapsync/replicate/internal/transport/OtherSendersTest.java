package dev.mapsync.replicate.internal.transport;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A follower reads the live stream from its leader's address only. One sender on 127.0.0.1 finds the ports of two
 * followers: the one whose leader is at 127.0.0.1 reads it, the one whose leader is at 127.0.0.2 never does.
 */
class OtherSendersTest {
    private static String port(FollowerNode node) {
        String endpoint;
        while ((endpoint = node.liveEndpoint()) == null) Thread.onSpinWait();
        return ChannelUri.parse(endpoint).get("endpoint").split(":")[1];
    }

    @Test
    void onlyTheLeadersAddressIsRead() {
        List<Long> ofTheSender = new ArrayList<>(), ofAnother = new ArrayList<>();
        String dir = Drivers.newDirectory("sender");
        try (FollowerNode follows = new FollowerNode(new Endpoint("127.0.0.1", 7), (b, o, l, h) -> ofTheSender.add(b.getLong(o)));
             FollowerNode followsAnother = new FollowerNode(new Endpoint("127.0.0.2", 7), (b, o, l, h) -> ofAnother.add(b.getLong(o)));
             MediaDriver driver = MediaDriver.launch(Drivers.context(dir));
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
             Publication toFollower = aeron.addPublication("aeron:udp?endpoint=127.0.0.1:" + port(follows), Endpoint.LIVE_STREAM);
             Publication toOther = aeron.addPublication("aeron:udp?endpoint=127.0.0.1:" + port(followsAnother), Endpoint.LIVE_STREAM)) {
            UnsafeBuffer b = new UnsafeBuffer(new byte[8]);
            long deadline = System.nanoTime() + 60_000_000_000L;
            long sentToOther = 0;
            // until the follower read 100 and the other follower's port took at least one: the other publication may
            // connect after the first one has delivered its 100
            while ((ofTheSender.size() < 100 || sentToOther == 0) && System.nanoTime() < deadline) {
                b.putLong(0, ofTheSender.size());
                if (ofTheSender.size() < 100) {
                    toFollower.offer(b, 0, 8);
                    follows.pollLive(1); // one at a time, so that it stops at exactly 100 however many wait
                }
                if (toOther.offer(b, 0, 8) > 0) sentToOther++;
                followsAnother.pollLive(10);
            }
            assertEquals(100, ofTheSender.size(), "the follower whose leader sends reads it");
            assertEquals(true, sentToOther > 0, "the other follower's port took messages");
            assertEquals(List.of(), ofAnother, "the follower whose leader is elsewhere reads none of them");
        } finally {
            Drivers.deleteDirectory(dir);
        }
    }
}
