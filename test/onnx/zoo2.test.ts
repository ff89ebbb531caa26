import { zooShard } from "./zoo.js";

zooShard(1, 8);
