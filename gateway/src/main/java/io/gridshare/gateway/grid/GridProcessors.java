package io.gridshare.gateway.grid;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Entry processors on the nodes map. Each runs on the partition thread that owns the node's entry, so
 * a read-check-write inside one is atomic with respect to every other operation on that entry: that is
 * what keeps two members from handing out the same slot, with no lock.
 */
final class GridProcessors {

    private GridProcessors() {
    }

    @SuppressWarnings("unchecked")
    private static ExtendedMapEntry<String, NodeEntry> extended(Map.Entry<String, NodeEntry> entry) {
        return (ExtendedMapEntry<String, NodeEntry>) entry;
    }

    /** Puts a node, keeping reservations of its previous entry, with a fresh TTL. */
    static final class Publish implements EntryProcessor<String, NodeEntry, Void>, IdentifiedDataSerializable {
        private NodeEntry node;
        private long ttlMillis;

        Publish() {
        }

        Publish(NodeEntry node, long ttlMillis) {
            this.node = node;
            this.ttlMillis = ttlMillis;
        }

        @Override
        public Void process(Map.Entry<String, NodeEntry> entry) {
            extended(entry).setValue(node.keepingReservationsOf(entry.getValue()), ttlMillis, TimeUnit.MILLISECONDS);
            return null;
        }

        @Override
        public int getFactoryId() { return GridSerialization.FACTORY_ID; }

        @Override
        public int getClassId() { return GridSerialization.PUBLISH; }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeObject(node);
            out.writeLong(ttlMillis);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            node = in.readObject();
            ttlMillis = in.readLong();
        }
    }

    /** Applies a heartbeat and refreshes the TTL; returns false when the node is not in the grid. */
    static final class Heartbeat implements EntryProcessor<String, NodeEntry, Boolean>, IdentifiedDataSerializable {
        private NodeHeartbeat heartbeat;
        private long nowMillis;
        private long ttlMillis;

        Heartbeat() {
        }

        Heartbeat(NodeHeartbeat heartbeat, long nowMillis, long ttlMillis) {
            this.heartbeat = heartbeat;
            this.nowMillis = nowMillis;
            this.ttlMillis = ttlMillis;
        }

        @Override
        public Boolean process(Map.Entry<String, NodeEntry> entry) {
            NodeEntry current = entry.getValue();
            if (current == null) {
                return false;
            }
            extended(entry).setValue(current.withHeartbeat(heartbeat, nowMillis), ttlMillis, TimeUnit.MILLISECONDS);
            return true;
        }

        @Override
        public int getFactoryId() { return GridSerialization.FACTORY_ID; }

        @Override
        public int getClassId() { return GridSerialization.HEARTBEAT; }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeInt(heartbeat.freeSlots());
            out.writeInt(heartbeat.activeJobs());
            out.writeFloat(heartbeat.load());
            out.writeLong(heartbeat.freeVramBytes());
            out.writeFloat(heartbeat.tokensPerSecond());
            out.writeLong(nowMillis);
            out.writeLong(ttlMillis);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            heartbeat = new NodeHeartbeat(in.readInt(), in.readInt(), in.readFloat(), in.readLong(), in.readFloat());
            nowMillis = in.readLong();
            ttlMillis = in.readLong();
        }
    }

    /**
     * Check-and-decrement: takes a slot for the job when one is free and the node still serves the model
     * at an acceptable price. Returns the updated entry when the job holds a slot, null otherwise.
     */
    static final class Reserve implements EntryProcessor<String, NodeEntry, NodeEntry>, IdentifiedDataSerializable {
        private String jobId;
        private String model;
        private BigInteger maxPrice;

        Reserve() {
        }

        Reserve(String jobId, ModelQuery query) {
            this.jobId = jobId;
            this.model = query.model();
            this.maxPrice = query.maxPricePerToken().orElse(null);
        }

        @Override
        public NodeEntry process(Map.Entry<String, NodeEntry> entry) {
            NodeEntry current = entry.getValue();
            if (current == null) {
                return null;
            }
            if (current.reservedJobIds().contains(jobId)) {
                return current;
            }
            if (current.freeSlots() <= 0 || !ModelQuery.of(model, maxPrice).matches(current)) {
                return null;
            }
            NodeEntry updated = current.withJobReserved(jobId);
            // only heartbeats keep a node alive: a reservation must not extend a silent node's life
            extended(entry).setValueWithoutChangingExpiryTime(updated);
            return updated;
        }

        @Override
        public int getFactoryId() { return GridSerialization.FACTORY_ID; }

        @Override
        public int getClassId() { return GridSerialization.RESERVE; }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(jobId);
            out.writeString(model);
            out.writeString(maxPrice == null ? null : maxPrice.toString());
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            jobId = in.readString();
            model = in.readString();
            String price = in.readString();
            maxPrice = price == null ? null : new BigInteger(price);
        }
    }

    /** Frees a job's slot if it still holds one; returns whether it did. */
    static final class Release implements EntryProcessor<String, NodeEntry, Boolean>, IdentifiedDataSerializable {
        private String jobId;

        Release() {
        }

        Release(String jobId) {
            this.jobId = jobId;
        }

        @Override
        public Boolean process(Map.Entry<String, NodeEntry> entry) {
            NodeEntry current = entry.getValue();
            if (current == null || !current.reservedJobIds().contains(jobId)) {
                return false;
            }
            extended(entry).setValueWithoutChangingExpiryTime(current.withJobReleased(jobId));
            return true;
        }

        @Override
        public int getFactoryId() { return GridSerialization.FACTORY_ID; }

        @Override
        public int getClassId() { return GridSerialization.RELEASE; }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(jobId);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            jobId = in.readString();
        }
    }

    /** Removes the entry only when its link is held by the given member. */
    static final class RemoveIfOwnedBy implements EntryProcessor<String, NodeEntry, Boolean>, IdentifiedDataSerializable {
        private UUID owner;

        RemoveIfOwnedBy() {
        }

        RemoveIfOwnedBy(UUID owner) {
            this.owner = owner;
        }

        @Override
        public Boolean process(Map.Entry<String, NodeEntry> entry) {
            NodeEntry current = entry.getValue();
            if (current == null || !current.ownerMember().equals(owner)) {
                return false;
            }
            entry.setValue(null);
            return true;
        }

        @Override
        public int getFactoryId() { return GridSerialization.FACTORY_ID; }

        @Override
        public int getClassId() { return GridSerialization.REMOVE_IF_OWNED_BY; }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(owner.toString());
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            owner = UUID.fromString(in.readString());
        }
    }
}
