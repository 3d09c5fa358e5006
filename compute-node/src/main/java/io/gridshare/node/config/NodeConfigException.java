package io.gridshare.node.config;

import java.util.List;

/** The node's configuration is missing or wrong; the message lists every problem and how to fix it. */
public class NodeConfigException extends RuntimeException {

    private final List<String> problems;

    public NodeConfigException(List<String> problems) {
        super(problems.size() == 1 ? "node configuration: " + problems.getFirst()
                : "node configuration has " + problems.size() + " problems:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public NodeConfigException(String problem, Throwable cause) {
        super("node configuration: " + problem, cause);
        this.problems = List.of(problem);
    }

    public List<String> problems() {
        return problems;
    }
}
