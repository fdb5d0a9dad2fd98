using Lookalike.Errors;

namespace Lookalike.Indexes;

public sealed partial class Hnsw
{
    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        writer.Write(Options.ToSpec());
        Store.WriteTo(writer);
        writer.Write(_entry);
        writer.Write(_top);
        for (int row = 0; row < Store.RowCount; row++)
        {
            writer.Write(_levelOf[row] + 1);
            for (int layer = 0; layer <= _levelOf[row]; layer++)
            {
                var slot = Slot(row, layer);
                writer.Write(slot[0]);
                for (int i = 1; i <= slot[0]; i++) writer.Write(slot[i]);
            }
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    internal static Hnsw ReadFrom(BinaryReader reader, IndexReading reading)
    {
        var options = HnswOptions.Parse(IndexSpecComponent.ParseChain(reader.ReadString())[0]);
        var store = VectorStore.ReadFrom(reader, reading.Dimension, reading.Metric, reading.Vectors);
        var index = new Hnsw(store, options) { _entry = reader.ReadInt32(), _top = reader.ReadInt32() };
        int rows = store.RowCount;
        if (index._entry >= rows || index._top > MaxLevel || (index._entry < 0) != (index._top < 0))
            throw new LookalikeException("Index file is damaged (HNSW entry point).");
        index.Grow(rows);
        for (int row = 0; row < rows; row++)
        {
            int layers = reader.ReadInt32();
            if (layers < 1 || layers > MaxLevel + 1) throw new LookalikeException("Index file is damaged (HNSW levels).");
            index._levelOf[row] = layers - 1;
            index._upper[row] = layers > 1 ? new int[(layers - 1) * index.UpperStride] : null;
            for (int layer = 0; layer < layers; layer++)
            {
                int count = reader.ReadInt32();
                if (count < 0 || count > index.MaxLinks(layer)) throw new LookalikeException("Index file is damaged (HNSW links).");
                var slot = index.Slot(row, layer);
                slot[0] = count;
                for (int i = 1; i <= count; i++)
                {
                    int neighbour = reader.ReadInt32();
                    if ((uint)neighbour >= (uint)rows) throw new LookalikeException("Index file is damaged (row number).");
                    slot[i] = neighbour;
                }
            }
        }
        // Levels of rows added after loading continue the seeded sequence as if never saved.
        for (int i = 0; i < rows; i++) index._levels.NextDouble();
        return index;
    }
}
