package dev.mapsync.replicate.internal.transport;

import io.aeron.archive.codecs.ArchiveIdRequestDecoder;
import io.aeron.archive.codecs.BoundedReplayRequestDecoder;
import io.aeron.archive.codecs.CloseSessionRequestDecoder;
import io.aeron.archive.codecs.KeepAliveRequestDecoder;
import io.aeron.archive.codecs.ListRecordingRequestDecoder;
import io.aeron.archive.codecs.ListRecordingsForUriRequestDecoder;
import io.aeron.archive.codecs.ListRecordingsRequestDecoder;
import io.aeron.archive.codecs.MaxRecordedPositionRequestDecoder;
import io.aeron.archive.codecs.RecordingPositionRequestDecoder;
import io.aeron.archive.codecs.ReplayRequestDecoder;
import io.aeron.archive.codecs.StartPositionRequestDecoder;
import io.aeron.archive.codecs.StopPositionRequestDecoder;
import io.aeron.archive.codecs.StopReplayRequestDecoder;
import io.aeron.security.Authenticator;
import io.aeron.security.AuthorisationService;
import io.aeron.security.CredentialsSupplier;
import io.aeron.security.SessionProxy;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may ask what of a leader's archive. Its control port is open to the network (followers ask it for replays),
 * so a client that does not present the leader's own secret (a random one per leader start, never sent over the
 * network: the leader's client talks to its archive over shared memory) may only read: replays, positions and the
 * recordings' descriptions. Recording, purging, truncating, deleting and the rest are the leader's alone.
 */
final class ArchiveAccess {
    private static final byte[] LEADER = {'l'}, READER = {'r'};
    private static final Set<Integer> READS = Set.of(ArchiveIdRequestDecoder.TEMPLATE_ID,
            CloseSessionRequestDecoder.TEMPLATE_ID, KeepAliveRequestDecoder.TEMPLATE_ID, ReplayRequestDecoder.TEMPLATE_ID,
            BoundedReplayRequestDecoder.TEMPLATE_ID, StopReplayRequestDecoder.TEMPLATE_ID,
            RecordingPositionRequestDecoder.TEMPLATE_ID, StartPositionRequestDecoder.TEMPLATE_ID,
            StopPositionRequestDecoder.TEMPLATE_ID, MaxRecordedPositionRequestDecoder.TEMPLATE_ID,
            ListRecordingRequestDecoder.TEMPLATE_ID, ListRecordingsRequestDecoder.TEMPLATE_ID,
            ListRecordingsForUriRequestDecoder.TEMPLATE_ID);

    private final byte[] secret = new byte[32];
    private final Map<Long, byte[]> principals = new ConcurrentHashMap<>();

    ArchiveAccess() {
        new SecureRandom().nextBytes(secret);
    }

    /** The leader's own client's credentials. */
    CredentialsSupplier leaderCredentials() {
        return new CredentialsSupplier() {
            @Override
            public byte[] encodedCredentials() {
                return secret.clone();
            }

            @Override
            public byte[] onChallenge(byte[] challenge) {
                return secret.clone();
            }
        };
    }

    /** Every client is let in: the leader's own as the leader, any other as a reader. */
    Authenticator authenticator() {
        return new Authenticator() {
            @Override
            public void onConnectRequest(long sessionId, byte[] credentials, long nowMs) {
                principals.put(sessionId, Arrays.equals(credentials, secret) ? LEADER : READER);
            }

            @Override
            public void onChallengeResponse(long sessionId, byte[] credentials, long nowMs) {
                onConnectRequest(sessionId, credentials, nowMs);
            }

            @Override
            public void onConnectedSession(SessionProxy session, long nowMs) {
                byte[] principal = principals.remove(session.sessionId());
                session.authenticate(principal == null ? READER : principal);
            }

            @Override
            public void onChallengedSession(SessionProxy session, long nowMs) {
                onConnectedSession(session, nowMs);
            }
        };
    }

    /** The leader may do anything; a reader only what {@link #READS} lists. */
    AuthorisationService authorisation() {
        return (protocolId, actionId, type, principal) ->
                Arrays.equals(principal, LEADER) || READS.contains(actionId);
    }
}
