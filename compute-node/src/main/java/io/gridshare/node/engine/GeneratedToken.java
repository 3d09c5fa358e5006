package io.gridshare.node.engine;

/**
 * One token of a job's output.
 *
 * @param index position in the job's output (0-based, counting emitted tokens of a resumed job)
 * @param tokenId vocabulary id
 * @param text the text this token adds; bytes that do not yet form valid UTF-8 are held back and
 *     delivered with the token that completes them, so concatenating {@code text} of all tokens
 *     gives the decoded output (this piece may be empty)
 * @param logProbability natural log of the token's probability under the sampling distribution
 */
public record GeneratedToken(int index, int tokenId, String text, float logProbability) {}
