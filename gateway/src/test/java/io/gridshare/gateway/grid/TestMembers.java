package io.gridshare.gateway.grid;

import com.hazelcast.core.HazelcastInstance;

import java.time.Duration;
import java.util.UUID;

/** {@link TestGrid} for tests in other packages. */
public final class TestMembers implements AutoCloseable {

    private final TestGrid grid;

    private TestMembers(TestGrid grid) {
        this.grid = grid;
    }

    public static TestMembers start(int size) {
        return new TestMembers(TestGrid.start(size, Duration.ofMinutes(1)));
    }

    public HazelcastInstance member(int i) {
        return grid.member(i);
    }

    public UUID uuid(int i) {
        return grid.member(i).getCluster().getLocalMember().getUuid();
    }

    @Override
    public void close() {
        grid.close();
    }
}
