package dev.raft.storage.file.internal.log;

import dev.raft.api.Vote;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.api.error.StorageException;
import dev.raft.storage.file.internal.StorageDirectory;
import dev.raft.storage.file.internal.vote.DualSlotFile;
import java.nio.file.Path;

/**
 * The node's vote in a {@link DualSlotFile} (term, voted-for): checked when it is read back, and each save checked
 * against the saved one — the term never goes back, and a node votes once a term.
 */
final class SavedVote implements AutoCloseable {
    private final DualSlotFile file;
    private Vote vote;

    private SavedVote(DualSlotFile file, Vote vote) {
        this.file = file;
        this.vote = vote;
    }

    /**
     * Opens (creating if needed: no vote in term 0) the vote in {@code path}.
     *
     * @throws CorruptStorageException if the file holds no possible vote
     * @throws StorageException        on IO errors
     */
    static SavedVote open(Path path) {
        final DualSlotFile votes = DualSlotFile.open(path, 0, 0);
        if (votes.first() < 0 || votes.second() < 0 || votes.second() > Integer.MAX_VALUE) {
            StorageDirectory.closeQuietly(votes);
            throw new CorruptStorageException(votes.file().toString(), 0, "vote holds term " + votes.first()
                + " votedFor " + votes.second());
        }
        return new SavedVote(votes, new Vote(votes.first(), (int) votes.second()));
    }

    Vote vote() {
        return vote;
    }

    /**
     * Saves {@code newVote} durably (nothing to do if it is the saved one).
     *
     * @throws IllegalArgumentException if it is null, of a lower term, or another vote in the saved term
     * @throws StorageException         if the write fails
     */
    void save(Vote newVote) {
        if (newVote == null) {
            throw new IllegalArgumentException("saveVote: vote is null");
        }
        if (newVote.term() < vote.term()) {
            throw new IllegalArgumentException("saveVote: term " + newVote.term() + " is lower than the saved term " + vote.term());
        }
        if (newVote.term() == vote.term() && vote.hasVoted() && newVote.votedFor() != vote.votedFor()) {
            throw new IllegalArgumentException("saveVote: already voted for " + vote.votedFor() + " in term " + vote.term()
                + ", cannot vote for " + newVote.votedFor());
        }
        if (newVote.equals(vote)) {
            return;
        }
        file.write(newVote.term(), newVote.votedFor());
        vote = newVote;
    }

    @Override
    public void close() {
        file.close();
    }
}
