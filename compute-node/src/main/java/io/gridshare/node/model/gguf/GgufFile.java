package io.gridshare.node.model.gguf;

import io.gridshare.node.model.ModelFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF model file (version 2 or 3), memory-mapped read-only. Opening parses only the header,
 * metadata and tensor infos, and checks that every tensor lies inside the file, so a multi-GB
 * model opens in milliseconds; tensor data is never copied: {@link #data} returns a slice of the
 * mapping. The mapping is shared between threads; closing unmaps it, after which slices must not
 * be used.
 */
public final class GgufFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final GgufParser.Parsed parsed;
    private final Map<String, GgufTensorInfo> byName;
    private boolean closed;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufParser.Parsed parsed) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.parsed = parsed;
        this.byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : parsed.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /**
     * Maps and parses a GGUF file.
     *
     * @throws ModelFormatException naming the file and the key or tensor at fault when the file is
     *     missing, not GGUF, of an unsupported version, truncated, corrupt, or holds a tensor type
     *     this node does not support
     */
    public static GgufFile open(Path path) throws IOException {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "GGUF file does not exist");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new GgufFile(path, arena, seg, GgufParser.parse(path, seg));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The format version, 2 or 3. */
    public int version() {
        return parsed.version();
    }

    public GgufMetadata metadata() {
        return parsed.metadata();
    }

    /** The tensors in file order. */
    public List<GgufTensorInfo> tensors() {
        return parsed.tensors();
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** @throws ModelFormatException naming the file and the tensor when it is absent */
    public GgufTensorInfo requireTensor(String name) throws ModelFormatException {
        GgufTensorInfo t = byName.get(name);
        if (t == null) {
            throw new ModelFormatException(path, "tensor '" + name + "' is missing (the file has " + byName.size()
                    + " tensors); is it a model of the expected architecture?");
        }
        return t;
    }

    /** The alignment of the data section and of every tensor's data. */
    public long alignment() {
        return parsed.alignment();
    }

    /** Absolute offset of the data section. */
    public long dataStart() {
        return parsed.dataStart();
    }

    /**
     * The tensor's data: a read-only slice of the mapping, not a copy.
     *
     * @throws IllegalArgumentException when {@code t} is not a tensor of this file
     */
    public MemorySegment data(GgufTensorInfo t) {
        if (!t.equals(byName.get(t.name()))) {
            throw new IllegalArgumentException(t.name() + " is not a tensor of " + path);
        }
        return mapping.asSlice(t.offset(), t.byteSize());
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
