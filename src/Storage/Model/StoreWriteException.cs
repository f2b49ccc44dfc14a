namespace Monitor.Storage.Model;

/// <summary>A store could not take a write (disk full, server down or refusing): the caller keeps the data and retries.</summary>
public sealed class StoreWriteException(string message, Exception? inner = null) : IOException(message, inner);
