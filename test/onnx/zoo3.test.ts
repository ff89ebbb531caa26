import { zooShard } from "./zoo.js";

zooShard(2, 8);
