package io.gridshare.node.cli;

import io.gridshare.node.engine.EngineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flags that choose and load a model, shared by the local commands ({@code generate},
 * {@code bench}): {@code --model FILE} (a {@code .gguf} file, or a llama2.c {@code .bin} with its
 * tokenizer beside it), {@code --backend auto|cpu|cuda}, {@code --context N}, {@code --threads N};
 * plus the command's own valued options and flags.
 */
final class ModelOptions {

    private static final List<String> MODEL_OPTIONS = List.of("--model", "--backend", "--context", "--threads");

    private final Map<String, String> values;
    private final Set<String> flags;

    private ModelOptions(Map<String, String> values, Set<String> flags) {
        this.values = values;
        this.flags = flags;
    }

    static ModelOptions parse(String[] args, List<String> valued, List<String> booleans) {
        List<String> known = new ArrayList<>(MODEL_OPTIONS);
        known.addAll(valued);
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (booleans.contains(a)) {
                flags.add(a);
            } else if (known.contains(a)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    value = args[++i];
                }
                values.put(a, value);
            } else {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        String model = values.get("--model");
        if (model == null) {
            throw new IllegalArgumentException("--model FILE is required (a .gguf file or a llama2.c .bin)");
        }
        if (!Files.isRegularFile(Path.of(model))) {
            throw new IllegalArgumentException("--model " + model + ": no such file");
        }
        return new ModelOptions(values, flags);
    }

    Path model() {
        return Path.of(values.get("--model"));
    }

    String value(String name) {
        return values.get(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    int intValue(String name, int fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + v + "' is not a whole number");
        }
    }

    long longValue(String name, long fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + v + "' is not a whole number");
        }
    }

    float floatValue(String name, float fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + v + "' is not a number");
        }
    }

    /** The engine configuration these flags ask for, with {@code slots} slots. */
    EngineConfig engineConfig(int slots) {
        EngineConfig config = EngineConfig.defaults(slots);
        String backend = values.get("--backend");
        if (backend != null) {
            config = config.withBackend(EngineConfig.Backend.parse(backend));
        }
        return config.withCpuThreads(intValue("--threads", 0)).withContextLength(intValue("--context", 0));
    }
}
