package io.gridshare.gateway.grid;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.nio.serialization.FieldKind;
import io.gridshare.gateway.grid.routing.RoutingSerialization;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * How grid values cross members. Map values ({@link NodeEntry} and its parts) use Compact: queryable by
 * field without deserializing, and evolvable (a member reading an entry written by a newer member
 * ignores fields it does not know; new fields are read with {@link CompactReader#getFieldKind} guards).
 * Entry processors and routing messages, which never rest in a map, use IdentifiedDataSerializable:
 * smaller and without schema exchange. No Java serialization anywhere.
 */
public final class GridSerialization {

    public static final int FACTORY_ID = 0x4752_4944; // "GRID"
    static final int PUBLISH = 1;
    static final int HEARTBEAT = 2;
    static final int RESERVE = 3;
    static final int RELEASE = 4;
    static final int REMOVE_IF_OWNED_BY = 5;

    private GridSerialization() {
    }

    /** Registers every grid serializer; {@link HazelcastMembers#config} calls this. */
    public static void register(SerializationConfig config) {
        config.getCompactSerializationConfig()
                .addSerializer(new NodeEntrySerializer())
                .addSerializer(new NodeModelSerializer())
                .addSerializer(new NodeGpuSerializer());
        config.addDataSerializableFactory(FACTORY_ID, new Factory());
    }

    private static final class Factory implements DataSerializableFactory {
        @Override
        public IdentifiedDataSerializable create(int classId) {
            return switch (classId) {
                case PUBLISH -> new GridProcessors.Publish();
                case HEARTBEAT -> new GridProcessors.Heartbeat();
                case RESERVE -> new GridProcessors.Reserve();
                case RELEASE -> new GridProcessors.Release();
                case REMOVE_IF_OWNED_BY -> new GridProcessors.RemoveIfOwnedBy();
                default -> RoutingSerialization.create(classId);
            };
        }
    }

    static final class NodeEntrySerializer implements CompactSerializer<NodeEntry> {
        @Override
        public NodeEntry read(CompactReader in) {
            return new NodeEntry(
                    in.readString("nodeId"),
                    UUID.fromString(in.readString("ownerMember")),
                    in.readString("gatewayId"),
                    Arrays.asList(in.readArrayOfCompact("gpus", NodeGpu.class)),
                    Arrays.asList(in.readArrayOfCompact("models", NodeModel.class)),
                    in.readDecimal("pricePerToken").toBigIntegerExact(),
                    in.readInt32("totalSlots"),
                    in.readInt32("freeSlots"),
                    in.readInt32("reportedFreeSlots"),
                    in.readInt32("reportedActiveJobs"),
                    List.of(in.readArrayOfString("reservedJobIds")),
                    in.readFloat32("load"),
                    in.readInt64("freeVramBytes"),
                    in.readFloat32("tokensPerSecond"),
                    in.readInt64("lastHeartbeatMillis"));
        }

        @Override
        public void write(CompactWriter out, NodeEntry e) {
            out.writeString("nodeId", e.nodeId());
            out.writeString("ownerMember", e.ownerMember().toString());
            out.writeString("gatewayId", e.gatewayId());
            out.writeArrayOfCompact("gpus", e.gpus().toArray(NodeGpu[]::new));
            out.writeArrayOfCompact("models", e.models().toArray(NodeModel[]::new));
            // written only for queries and indexes; read back from "models"
            out.writeArrayOfString("modelHashes", e.modelHashes().toArray(String[]::new));
            out.writeArrayOfString("modelNames", e.modelNames().toArray(String[]::new));
            // decimal so that "pricePerToken <= max" is a numeric comparison on uint256-sized values
            out.writeDecimal("pricePerToken", new BigDecimal(e.pricePerToken()));
            out.writeInt32("totalSlots", e.totalSlots());
            out.writeInt32("freeSlots", e.freeSlots());
            out.writeInt32("reportedFreeSlots", e.reportedFreeSlots());
            out.writeInt32("reportedActiveJobs", e.reportedActiveJobs());
            out.writeArrayOfString("reservedJobIds", e.reservedJobIds().toArray(String[]::new));
            out.writeFloat32("load", e.load());
            out.writeInt64("freeVramBytes", e.freeVramBytes());
            out.writeFloat32("tokensPerSecond", e.tokensPerSecond());
            out.writeInt64("lastHeartbeatMillis", e.lastHeartbeatMillis());
        }

        @Override
        public String getTypeName() {
            return "gridshare.NodeEntry";
        }

        @Override
        public Class<NodeEntry> getCompactClass() {
            return NodeEntry.class;
        }
    }

    static final class NodeModelSerializer implements CompactSerializer<NodeModel> {
        @Override
        public NodeModel read(CompactReader in) {
            // entries written before the model details existed lack these fields: read them as unknown
            return new NodeModel(in.readString("hash"), in.readString("name"), in.readInt32("contextLength"),
                    in.getFieldKind("architecture") == FieldKind.STRING ? in.readString("architecture") : "",
                    in.getFieldKind("parameters") == FieldKind.INT64 ? in.readInt64("parameters") : 0,
                    in.getFieldKind("quantization") == FieldKind.STRING ? in.readString("quantization") : "",
                    in.getFieldKind("chat") == FieldKind.BOOLEAN && in.readBoolean("chat"));
        }

        @Override
        public void write(CompactWriter out, NodeModel m) {
            out.writeString("hash", m.hash());
            out.writeString("name", m.name());
            out.writeInt32("contextLength", m.contextLength());
            out.writeString("architecture", m.architecture());
            out.writeInt64("parameters", m.parameters());
            out.writeString("quantization", m.quantization());
            out.writeBoolean("chat", m.chat());
        }

        @Override
        public String getTypeName() {
            return "gridshare.NodeModel";
        }

        @Override
        public Class<NodeModel> getCompactClass() {
            return NodeModel.class;
        }
    }

    static final class NodeGpuSerializer implements CompactSerializer<NodeGpu> {
        @Override
        public NodeGpu read(CompactReader in) {
            String uuid = in.getFieldKind("uuid") == FieldKind.STRING ? in.readString("uuid") : "";
            return new NodeGpu(in.readInt32("ordinal"), in.readString("name"), in.readInt64("totalMemoryBytes"), uuid);
        }

        @Override
        public void write(CompactWriter out, NodeGpu g) {
            out.writeInt32("ordinal", g.ordinal());
            out.writeString("name", g.name());
            out.writeInt64("totalMemoryBytes", g.totalMemoryBytes());
            out.writeString("uuid", g.uuid());
        }

        @Override
        public String getTypeName() {
            return "gridshare.NodeGpu";
        }

        @Override
        public Class<NodeGpu> getCompactClass() {
            return NodeGpu.class;
        }
    }
}
