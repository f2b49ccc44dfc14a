namespace Monitor.Probe.Dispatch;

/// <summary>
/// A bounded ring for exactly one producer and one consumer. Each side moves only its own index;
/// the two counting semaphores let a side that must wait sleep instead of spinning, and are touched
/// once per item (a batch of packets), never per packet.
/// </summary>
internal sealed class SpscQueue<T>(int capacity) where T : class
{
    private readonly T?[] _ring = new T?[capacity];
    private readonly SemaphoreSlim _items = new(0, capacity);
    private readonly SemaphoreSlim _slots = new(capacity, capacity);
    private int _head;
    private int _tail;

    public int Capacity => capacity;

    /// <summary>Producer: adds the item unless the queue is full.</summary>
    public bool TryEnqueue(T item)
    {
        if (!_slots.Wait(0)) return false;
        Put(item);
        return true;
    }

    /// <summary>Producer: adds the item, waiting for room.</summary>
    public void Enqueue(T item)
    {
        _slots.Wait();
        Put(item);
    }

    /// <summary>Consumer: takes the next item, waiting for one.</summary>
    public T Dequeue()
    {
        _items.Wait();
        return Take();
    }

    /// <summary>Consumer: takes the next item if there is one.</summary>
    public bool TryDequeue(out T item)
    {
        if (!_items.Wait(0))
        {
            item = null!;
            return false;
        }
        item = Take();
        return true;
    }

    private void Put(T item)
    {
        Volatile.Write(ref _ring[_tail], item);
        _tail = (_tail + 1) % _ring.Length;
        _items.Release();
    }

    private T Take()
    {
        var item = Volatile.Read(ref _ring[_head])!;
        _ring[_head] = null;
        _head = (_head + 1) % _ring.Length;
        _slots.Release();
        return item;
    }
}
