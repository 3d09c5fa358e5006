package io.gridshare.gateway.grid.routing;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.gridshare.gateway.grid.GridSerialization;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.Callable;

/** The messages of the job router (IdentifiedDataSerializable, in the grid's factory). */
public final class RoutingSerialization {

    static final int ASSIGN_TASK = 10;
    static final int CANCEL_TASK = 11;
    static final int JOB_EVENT = 12;
    static final int PAY_TASK = 13;

    private RoutingSerialization() {
    }

    /** Creates a routing message for the grid's DataSerializableFactory. */
    public static IdentifiedDataSerializable create(int classId) {
        return switch (classId) {
            case ASSIGN_TASK -> new AssignTask();
            case CANCEL_TASK -> new CancelTask();
            case JOB_EVENT -> new RoutedJobEvent();
            case PAY_TASK -> new PayTask();
            default -> throw new IllegalArgumentException("Unknown grid class id " + classId
                    + ": members run different Gridshare versions?");
        };
    }

    private abstract static class RouterTask implements HazelcastInstanceAware, IdentifiedDataSerializable {
        transient HazelcastJobRouter router;

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcast) {
            router = (HazelcastJobRouter) hazelcast.getUserContext().get(HazelcastJobRouter.USER_CONTEXT_KEY);
        }

        @Override
        public int getFactoryId() {
            return GridSerialization.FACTORY_ID;
        }
    }

    /** Runs on the owner member; returns null when the handler took the job, else the reason it did not. */
    static final class AssignTask extends RouterTask implements Callable<String> {
        private RoutedAssign assign;

        AssignTask() {
        }

        AssignTask(RoutedAssign assign) {
            this.assign = assign;
        }

        @Override
        public String call() {
            if (router == null) {
                return "no job router runs on the member holding node " + assign.nodeId() + "'s link";
            }
            return router.acceptRemote(assign);
        }

        @Override
        public int getClassId() {
            return ASSIGN_TASK;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(assign.jobId());
            out.writeString(assign.nodeId());
            out.writeString(assign.requesterMember().toString());
            out.writeByteArray(assign.assignment());
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            assign = new RoutedAssign(in.readString(), in.readString(), UUID.fromString(in.readString()),
                    in.readByteArray());
        }
    }

    /** Runs on the owner member: cancels a routed job. */
    static final class CancelTask extends RouterTask implements Runnable {
        private String jobId;

        CancelTask() {
        }

        CancelTask(String jobId) {
            this.jobId = jobId;
        }

        @Override
        public void run() {
            if (router != null) {
                router.cancelRemote(jobId);
            }
        }

        @Override
        public int getClassId() {
            return CANCEL_TASK;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(jobId);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            jobId = in.readString();
        }
    }

    /** Runs on the member holding a node's link: sends the node a voucher; answers whether it could. */
    static final class PayTask extends RouterTask implements Callable<Boolean> {
        private String nodeId;
        private byte[] voucher;

        PayTask() {
        }

        PayTask(String nodeId, byte[] voucher) {
            this.nodeId = nodeId;
            this.voucher = voucher;
        }

        @Override
        public Boolean call() {
            return router != null && router.payHere(nodeId, voucher);
        }

        @Override
        public int getClassId() {
            return PAY_TASK;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(nodeId);
            out.writeByteArray(voucher);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            nodeId = in.readString();
            voucher = in.readByteArray();
        }
    }

    /** One job event on its way back to the requesting member. */
    static final class RoutedJobEvent implements IdentifiedDataSerializable {
        static final byte EVENT = 0;
        static final byte COMPLETED = 1;
        static final byte FAILED = 2;

        String jobId;
        long sequence;
        byte kind;
        byte[] payload;
        String reason;

        RoutedJobEvent() {
        }

        RoutedJobEvent(String jobId, long sequence, byte kind, byte[] payload, String reason) {
            this.jobId = jobId;
            this.sequence = sequence;
            this.kind = kind;
            this.payload = payload;
            this.reason = reason;
        }

        @Override
        public int getFactoryId() {
            return GridSerialization.FACTORY_ID;
        }

        @Override
        public int getClassId() {
            return JOB_EVENT;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(jobId);
            out.writeLong(sequence);
            out.writeByte(kind);
            out.writeByteArray(payload);
            out.writeString(reason);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            jobId = in.readString();
            sequence = in.readLong();
            kind = in.readByte();
            payload = in.readByteArray();
            reason = in.readString();
        }
    }
}
