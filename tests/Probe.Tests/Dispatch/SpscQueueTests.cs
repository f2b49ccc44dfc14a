using Monitor.Probe.Dispatch;

namespace Monitor.Probe.Tests.Dispatch;

public sealed class SpscQueueTests
{
    [Fact]
    public void A_full_queue_refuses_without_blocking()
    {
        var queue = new SpscQueue<string>(2);

        Assert.True(queue.TryEnqueue("a"));
        Assert.True(queue.TryEnqueue("b"));
        Assert.False(queue.TryEnqueue("c"));
        Assert.Equal("a", queue.Dequeue());
        Assert.True(queue.TryEnqueue("c"));
    }

    [Fact]
    public void A_producer_sees_room_until_the_queue_is_full()
    {
        var queue = new SpscQueue<string>(2);

        Assert.True(queue.HasRoom);
        queue.Enqueue("a");
        Assert.True(queue.HasRoom);
        queue.Enqueue("b");
        Assert.False(queue.HasRoom);
        queue.Dequeue();
        Assert.True(queue.HasRoom);
    }

    [Fact]
    public async Task Items_cross_threads_in_order_with_a_waiting_producer()
    {
        var queue = new SpscQueue<object>(4);
        const int count = 200_000;
        var consumer = Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
                if ((int)queue.Dequeue() != i) return i;
            return -1;
        });

        for (var i = 0; i < count; i++) queue.Enqueue(i);

        Assert.Equal(-1, await consumer.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
