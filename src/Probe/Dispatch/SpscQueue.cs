namespace Monitor.Probe.Dispatch;

/// <summary>
/// A bounded ring for exactly one producer and one consumer, touched once per item (a batch of
/// packets), never per packet. A side that must wait sleeps on the monitor instead of spinning: on a
/// machine with as many busy threads as cores, a spinning reader takes the core its worker needs.
/// A producer waiting on a full queue is woken only when the queue is half empty, so offline the
/// reader runs in long bursts instead of waking for every batch the worker finishes.
/// </summary>
internal sealed class SpscQueue<T>(int capacity) where T : class
{
    private readonly T?[] _ring = new T?[capacity];
    private readonly object _gate = new();
    private int _head;
    private int _count;
    private bool _producerWaiting;
    private bool _consumerWaiting;

    public int Capacity => capacity;

    /// <summary>Producer: whether an item fits now (only the producer fills the queue, so it still fits later).</summary>
    public bool HasRoom
    {
        get
        {
            lock (_gate) return _count < _ring.Length;
        }
    }

    /// <summary>Producer: adds the item unless the queue is full.</summary>
    public bool TryEnqueue(T item)
    {
        lock (_gate)
        {
            if (_count == _ring.Length) return false;
            Put(item);
            return true;
        }
    }

    /// <summary>Producer: adds the item, waiting for room.</summary>
    public void Enqueue(T item)
    {
        lock (_gate)
        {
            while (_count == _ring.Length)
            {
                _producerWaiting = true;
                System.Threading.Monitor.Wait(_gate);
            }
            Put(item);
        }
    }

    /// <summary>Consumer: takes the next item, waiting for one.</summary>
    public T Dequeue()
    {
        lock (_gate)
        {
            while (_count == 0)
            {
                _consumerWaiting = true;
                System.Threading.Monitor.Wait(_gate);
            }
            return Take();
        }
    }

    /// <summary>Consumer: takes the next item if there is one.</summary>
    public bool TryDequeue(out T item)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                item = null!;
                return false;
            }
            item = Take();
            return true;
        }
    }

    private void Put(T item)
    {
        _ring[(_head + _count) % _ring.Length] = item;
        _count++;
        if (!_consumerWaiting) return;
        _consumerWaiting = false;
        System.Threading.Monitor.Pulse(_gate);
    }

    private T Take()
    {
        var item = _ring[_head]!;
        _ring[_head] = null;
        _head = (_head + 1) % _ring.Length;
        _count--;
        if (_producerWaiting && _count <= _ring.Length / 2)
        {
            _producerWaiting = false;
            System.Threading.Monitor.Pulse(_gate);
        }
        return item;
    }
}
